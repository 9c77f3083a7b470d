package tenshot.studio.api;

import jakarta.annotation.security.RolesAllowed;
import tenshot.studio.access.AccountRole;
import tenshot.studio.BlockingIo;
import java.util.function.Supplier;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.store.StyleImage;
import tenshot.store.StyleSet;
import tenshot.studio.StyleSets;
import tenshot.studio.access.TeamScope;
import tenshot.studio.upload.IncomingFile;
import tenshot.studio.upload.PromptList;
import tenshot.studio.upload.UploadRejected;

/** Style sets: upload, import, list, read. */
@Path("/api/style-sets")
@Produces(MediaType.APPLICATION_JSON)
public class StyleSetResource {

    @Inject
    StyleSets styleSets;

    @Inject
    Downloads downloads;

    @Inject
    TeamScope scope;

    /** What the import-path call takes. */
    public record ImportPath(String path, String namePrefix) {}

    @GET
    @WithSession
    @Operation(summary = "Your team's style sets, newest first")
    public Uni<List<StyleSetView>> list() {
        return scope.styleSets().chain(sets -> sets.isEmpty() ? Uni.createFrom().item(List.<StyleSetView>of())
                : StyleImage.<StyleImage>list("styleSetId in ?1 order by position", sets.stream().map(s -> s.id).toList())
                .map(images -> sets.stream().map(s -> StyleSetView.of(s,
                        images.stream().filter(i -> i.styleSetId.equals(s.id)).toList())).toList()));
    }

    @GET
    @Path("{id}")
    @WithSession
    @Operation(summary = "One style set with its images and prompts")
    public Uni<StyleSetView> get(@PathParam("id") long id) {
        return scope.styleSet(id).chain(set -> StyleImage.of(id).map(images -> StyleSetView.of(set, images)));
    }

    @GET
    @Path("{id}/images/{position}")
    @Produces("image/png")
    @Blocking
    @Operation(summary = "A style image as stored (upright RGB PNG)")
    public Response image(@PathParam("id") long id, @PathParam("position") int position,
            @HeaderParam("Range") String range) throws Throwable {
        scope.styleSetNow(id);
        StyleImage image = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() ->
                StyleImage.<StyleImage>find("styleSetId = ?1 and position = ?2", id, position).firstResult()));
        if (image == null) throw ApiException.notFound("style image", id + "/" + position);
        return downloads.serve(image.artifactKey, "image/png", image.objectName + ".png", range);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a style set to your team: fields name, styleId, prompts (JSON text or file), images (1-50 PNG/JPEG files),"
            + " promptTemplate (optional, e.g. \"paper\" painting of {object}: what {object} of the recipe's generation prompt becomes)")
    public Uni<Response> upload(MultipartFormDataInput input) {
        Map<String, Collection<FormValue>> form = input.getValues();
        String name = text(form, "name", true);
        String styleId = text(form, "styleId", false);
        if (styleId == null) styleId = name != null && name.matches("[A-Za-z0-9_-]{1,32}") ? name : "00";
        List<IncomingFile> images = new ArrayList<>();
        for (FormValue value : form.getOrDefault("images", List.of())) {
            if (!value.isFileItem()) throw new UploadRejected("images", "each images part must be a file");
            images.add(new IncomingFile(value.getFileName(), value.getFileItem().getFile()));
        }
        Supplier<byte[]> prompts = bytes(form, "prompts");
        String promptTemplate = text(form, "promptTemplate", false);
        if (promptTemplate != null) {
            if (promptTemplate.length() > 500) throw new UploadRejected("promptTemplate", "is longer than 500 characters");
            try {
                PromptTemplate.objectPhrase(promptTemplate);
            } catch (IllegalArgumentException e) {
                throw new UploadRejected("promptTemplate", e.getMessage());
            }
        }
        return styleSets.upload(scope.teamForNewWork(), name, styleId, images, prompts, promptTemplate)
                .chain(set -> StyleImage.of(set.id).map(rows -> Response.status(201)
                        .header("Location", "/api/style-sets/" + set.id).entity(StyleSetView.of(set, rows)).build()));
    }

    @POST
    @Path("import")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Import a zipped challenge folder (NN/images/*, NN/prompt.json): fields archive, namePrefix")
    public Uni<Response> importZip(MultipartFormDataInput input) {
        Map<String, Collection<FormValue>> form = input.getValues();
        Collection<FormValue> archive = form.getOrDefault("archive", List.of());
        if (archive.size() != 1 || !archive.iterator().next().isFileItem()) {
            throw new UploadRejected("archive", "expected exactly one zip file in the field 'archive'");
        }
        return styleSets.importZip(scope.teamForNewWork(), text(form, "namePrefix", false),
                        archive.iterator().next().getFileItem().getFile())
                .map(sets -> Response.status(201).entity(sets.stream().map(StyleSetResource::summary).toList()).build());
    }

    @POST
    @Path("import-path")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Operation(summary = "Import a challenge folder from the server, below tenshot.import-root, to your team (organisers)")
    public Uni<Response> importPath(ImportPath body) {
        if (body == null) throw ApiException.badField("path", "missing");
        return styleSets.importPath(scope.teamForNewWork(), body.namePrefix(), body.path())
                .map(sets -> Response.status(201).entity(sets.stream().map(StyleSetResource::summary).toList()).build());
    }

    private static Map<String, Object> summary(StyleSet set) {
        return Map.of("id", set.id, "name", set.name, "styleId", set.styleId,
                "prompts", PromptList.fromStored(set.prompts).size(), "url", "/api/style-sets/" + set.id);
    }

    private static String text(Map<String, Collection<FormValue>> form, String field, boolean required) {
        Collection<FormValue> values = form.getOrDefault(field, List.of());
        if (values.isEmpty()) {
            if (required) throw new UploadRejected(field, "missing");
            return null;
        }
        if (values.size() > 1) throw new UploadRejected(field, "given more than once");
        FormValue value = values.iterator().next();
        if (value.isFileItem()) throw new UploadRejected(field, "expected text, got a file");
        String text = value.getValue().strip();
        if (text.isEmpty() && required) throw new UploadRejected(field, "empty");
        return text.isEmpty() ? null : text;
    }

    /** A field that may come as text or as a file (prompt.json); a file is read when the supplier is called, off the event loop. */
    private static Supplier<byte[]> bytes(Map<String, Collection<FormValue>> form, String field) {
        Collection<FormValue> values = form.getOrDefault(field, List.of());
        if (values.isEmpty()) throw new UploadRejected(field, "missing: the prompt list, as JSON");
        if (values.size() > 1) throw new UploadRejected(field, "given more than once");
        FormValue value = values.iterator().next();
        if (!value.isFileItem()) {
            byte[] text = value.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return () -> text;
        }
        return () -> {
            BlockingIo.requireOffEventLoop("reading an uploaded prompt file");
            try {
                long size = value.getFileItem().getFileSize();
                if (size > PromptList.MAX_JSON_BYTES) {
                    throw new UploadRejected(field, "the prompt list is " + size + " bytes; the limit is "
                            + PromptList.MAX_JSON_BYTES + " bytes", 413);
                }
                return Files.readAllBytes(value.getFileItem().getFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
