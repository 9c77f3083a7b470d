package tenshot.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parses every deployment file and checks what matters: the kustomize base lists every manifest; every
 * container has probes on the health endpoints and resources; the API runs 2+ replicas; the GPU worker
 * asks for one GPU, tolerates GPU taints and selects GPU nodes; every Secret a pod or KEDA references is
 * generated, with the keys asked for; no credential is written in plain text; compose waits on health
 * and reserves GPUs; the Grafana dashboard queries metrics the application exports.
 */
class DeployManifestsTest {

    private static final Path KUBE = Path.of("deploy/kubernetes");
    private static final Pattern CREDENTIAL = Pattern.compile("(?i).*(PASSWORD|SECRET|ACCESS_KEY|TOKEN|CREDENTIAL).*");
    /** What the application exports at /q/metrics (HealthAndMetricsTest checks each against a running app). */
    private static final Set<String> METRICS = Set.of("tenshot_queue_jobs", "tenshot_job_attempts_total",
            "tenshot_job_duration_seconds_bucket", "tenshot_queue_taken_back_total", "tenshot_sse_clients",
            "tenshot_worker_gpu_memory_free_bytes", "tenshot_worker_gpu_memory_total_bytes");

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<JsonNode> MANIFESTS = new ArrayList<>();
    private static JsonNode kustomization;

    @BeforeAll
    static void parseEveryManifest() throws IOException {
        try (Stream<Path> files = Files.list(KUBE)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    kustomization = YAML.readTree(file.toFile());
                    continue;
                }
                var parser = new YAMLFactory().createParser(file.toFile());
                List<JsonNode> docs = YAML.readValues(parser, JsonNode.class).readAll();
                assertFalse(docs.isEmpty(), file + " has no document");
                for (JsonNode doc : docs) {
                    for (String field : List.of("apiVersion", "kind")) {
                        assertTrue(doc.hasNonNull(field), file + ": a document without " + field);
                    }
                    assertTrue(doc.path("metadata").hasNonNull("name"), file + ": a document without metadata.name");
                    ((ObjectNode) doc).put("__file", file.getFileName().toString());
                    MANIFESTS.add(doc);
                }
            }
        }
        assertTrue(kustomization != null, "deploy/kubernetes has no kustomization.yaml");
    }

    private static List<JsonNode> ofKind(String kind) {
        return MANIFESTS.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(m -> m.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private static List<JsonNode> containers(JsonNode deployment) {
        List<JsonNode> out = new ArrayList<>();
        deployment.path("spec").path("template").path("spec").path("containers").forEach(out::add);
        assertFalse(out.isEmpty(), deployment.path("metadata").path("name") + " has no containers");
        return out;
    }

    @Test
    void theKustomizationListsEveryManifestAndNothingMissing() {
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new TreeSet<>();
        MANIFESTS.forEach(m -> files.add(m.path("__file").asText()));
        assertEquals(files, listed, "kustomization resources vs manifest files");
        assertEquals("tenshot", kustomization.path("namespace").asText());
    }

    @Test
    void everyContainerHasProbesOnTheHealthEndpointsAndResources() {
        List<JsonNode> deployments = ofKind("Deployment");
        assertEquals(2, deployments.size());
        for (JsonNode d : deployments) {
            for (JsonNode c : containers(d)) {
                String where = d.path("metadata").path("name").asText() + "/" + c.path("name").asText();
                Set<String> ports = new HashSet<>();
                c.path("ports").forEach(p -> ports.add(p.path("name").asText()));
                Map<String, String> probes = Map.of("readinessProbe", "/q/health/ready", "livenessProbe", "/q/health/live",
                        "startupProbe", "/q/health/started");
                probes.forEach((probe, path) -> {
                    JsonNode get = c.path(probe).path("httpGet");
                    assertEquals(path, get.path("path").asText(), where + " " + probe);
                    assertTrue(ports.contains(get.path("port").asText()), where + " " + probe + " names an undeclared port");
                });
                JsonNode resources = c.path("resources");
                for (String need : List.of("requests/cpu", "requests/memory", "limits/memory")) {
                    String[] p = need.split("/");
                    assertTrue(resources.path(p[0]).hasNonNull(p[1]), where + " has no resources." + p[0] + "." + p[1]);
                }
            }
        }
        assertTrue(named("Deployment", "tenshot-api").path("spec").path("replicas").asInt() >= 2, "the API runs 2+ replicas");
    }

    @Test
    void theGpuWorkerAsksForOneGpuOnGpuNodes() {
        JsonNode worker = named("Deployment", "tenshot-worker-gpu");
        JsonNode pod = worker.path("spec").path("template").path("spec");
        JsonNode c = containers(worker).get(0);
        assertEquals(1, c.path("resources").path("limits").path("nvidia.com/gpu").asInt(), "GPU limit");
        assertEquals(1, c.path("resources").path("requests").path("nvidia.com/gpu").asInt(), "GPU request");
        assertFalse(pod.path("nodeSelector").isEmpty(), "the GPU worker has no nodeSelector");
        boolean tolerates = false;
        for (JsonNode t : pod.path("tolerations")) tolerates |= t.path("key").asText().equals("nvidia.com/gpu");
        assertTrue(tolerates, "the GPU worker does not tolerate the nvidia.com/gpu taint");
        Map<String, String> env = new HashMap<>();
        c.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        assertEquals("worker", env.get("TENSHOT_ROLE"));
        assertTrue(env.get("TENSHOT_WORKER_DEVICE").startsWith("cuda"), "the GPU worker's device");
        // the API never runs jobs, and never asks for a GPU
        JsonNode api = containers(named("Deployment", "tenshot-api")).get(0);
        assertFalse(api.path("resources").path("limits").has("nvidia.com/gpu"));
    }

    @Test
    void everyReferencedSecretIsGeneratedWithTheKeysAskedFor() throws IOException {
        Map<String, Set<String>> generated = new HashMap<>();
        for (JsonNode g : kustomization.path("secretGenerator")) {
            Set<String> keys = new HashSet<>();
            for (JsonNode envFile : g.path("envs")) {
                Path example = KUBE.resolve(envFile.asText() + ".example");
                assertTrue(Files.isRegularFile(example), "no " + example + " to write " + envFile.asText() + " from");
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(example)) {
                    p.load(in);
                }
                keys.addAll(p.stringPropertyNames());
            }
            generated.put(g.path("name").asText(), keys);
        }
        Map<String, Set<String>> referenced = new HashMap<>();
        for (JsonNode d : ofKind("Deployment")) {
            for (JsonNode c : containers(d)) {
                for (JsonNode e : c.path("env")) {
                    JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) referenced.computeIfAbsent(ref.path("name").asText(), k -> new HashSet<>()).add(ref.path("key").asText());
                }
            }
        }
        for (JsonNode auth : ofKind("TriggerAuthentication")) {
            for (JsonNode ref : auth.path("spec").path("secretTargetRef")) {
                referenced.computeIfAbsent(ref.path("name").asText(), k -> new HashSet<>()).add(ref.path("key").asText());
            }
        }
        assertEquals(Set.of("tenshot-postgres", "tenshot-s3"), referenced.keySet());
        referenced.forEach((secret, keys) -> {
            assertTrue(generated.containsKey(secret), "secret " + secret + " is referenced but not generated");
            assertTrue(generated.get(secret).containsAll(keys), secret + " lacks keys " + keys + " (has " + generated.get(secret) + ")");
        });
    }

    @Test
    void noCredentialIsWrittenInPlainText() throws IOException {
        assertTrue(ofKind("Secret").isEmpty(), "Secrets are generated from gitignored env files, never written in the base");
        for (JsonNode d : ofKind("Deployment")) {
            for (JsonNode c : containers(d)) {
                for (JsonNode e : c.path("env")) {
                    String name = e.path("name").asText();
                    if (CREDENTIAL.matcher(name).matches()) {
                        assertTrue(e.has("valueFrom") && !e.has("value"), name + " in " + d.path("metadata").path("name") + " is a literal");
                    }
                }
            }
        }
        for (JsonNode cm : ofKind("ConfigMap")) {
            cm.path("data").fieldNames().forEachRemaining(k -> assertFalse(CREDENTIAL.matcher(k).matches(), "ConfigMap key " + k));
        }
        Pattern userInfo = Pattern.compile("://[^/\\s:@]+:[^/\\s@]+@");
        try (Stream<Path> files = Files.walk(Path.of("deploy"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                assertFalse(userInfo.matcher(text).find(), f + " has a URL with a password in it");
                if (f.toString().endsWith(".example")) {
                    for (String line : text.split("\n")) {
                        String[] kv = line.split("=", 2);
                        if (kv.length == 2 && CREDENTIAL.matcher(kv[0]).matches()) {
                            assertEquals("", kv[1].strip(), f + ": " + kv[0] + " must be left empty");
                        }
                    }
                }
            }
        }
    }

    @Test
    void kedaScalesTheGpuWorkersOnTheQueueTable() {
        JsonNode scaled = named("ScaledObject", "tenshot-worker-gpu");
        assertEquals("tenshot-worker-gpu", scaled.path("spec").path("scaleTargetRef").path("name").asText());
        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        assertEquals("postgresql", trigger.path("type").asText());
        String query = trigger.path("metadata").path("query").asText();
        assertTrue(query.contains("FROM job") && query.contains("needs = 'gpu'"), query);
        named("TriggerAuthentication", trigger.path("authenticationRef").path("name").asText());
        assertFalse(trigger.path("metadata").has("password"), "the scaler's password comes from the Secret");
    }

    @Test
    void composeWaitsOnHealthRestartsAndReservesGpus() throws IOException {
        // SnakeYAML resolves compose's anchors and merge keys (<<), which Jackson's YAML parser leaves as they are
        Object loaded = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of("deploy/compose/docker-compose.yml")));
        JsonNode compose = new ObjectMapper().valueToTree(loaded);
        JsonNode services = compose.path("services");
        services.fields().forEachRemaining(s -> {
            JsonNode svc = s.getValue();
            assertTrue(svc.hasNonNull("healthcheck"), s.getKey() + " has no healthcheck");
            assertEquals("unless-stopped", svc.path("restart").asText(), s.getKey() + " restart policy");
            svc.path("depends_on").fields().forEachRemaining(d -> assertEquals("service_healthy",
                    d.getValue().path("condition").asText(), s.getKey() + " depends on " + d.getKey()));
            svc.path("environment").fields().forEachRemaining(e -> {
                if (CREDENTIAL.matcher(e.getKey()).matches()) {
                    assertTrue(e.getValue().asText().startsWith("${"), s.getKey() + ": " + e.getKey() + " is a literal");
                }
            });
        });
        assertEquals("service_healthy", services.path("worker").path("depends_on").path("api").path("condition").asText());
        JsonNode gpu = services.path("worker-gpu").path("deploy").path("resources").path("reservations").path("devices").get(0);
        assertEquals("nvidia", gpu.path("driver").asText());
        assertEquals("gpu", gpu.path("capabilities").get(0).asText());
        assertEquals(1, gpu.path("count").asInt());
    }

    @Test
    void theDashboardQueriesMetricsTheApplicationExports() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/tenshot-dashboard.json").toFile());
        Set<String> used = new TreeSet<>();
        Matcher m;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                m = Pattern.compile("tenshot_[a-z_]+").matcher(target.path("expr").asText());
                while (m.find()) used.add(m.group());
            }
        }
        for (String name : used) {
            if (!METRICS.contains(name)) fail("the dashboard queries " + name + ", which the application does not export");
        }
        assertEquals(METRICS, used, "every exported metric has a panel");
    }

    @Test
    void theContainerBuildsFollowQuarkusConventions() throws IOException {
        String api = Files.readString(Path.of("src/main/docker/Dockerfile.jvm"));
        assertTrue(api.contains("target/quarkus-app/lib/") && api.contains("quarkus-run.jar"), "the API image copies the Quarkus layout");
        String worker = Files.readString(Path.of("src/main/docker/Dockerfile.worker-cuda"));
        for (String needed : List.of("PYTORCH_LIBRARY_PATH=", "PYTORCH_VERSION=2.7.1", "PYTORCH_FLAVOR=cu128", "nvidia/cuda:12.8")) {
            assertTrue(worker.contains(needed), "the CUDA worker image lacks " + needed);
        }
    }
}
