package tenshot.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * The studio's JSON API as the signed-in browser calls it (the context's cookies, the page's CSRF
 * token when it has one), for the set-up a test does not need to click through: a style set, a run
 * with settings the page's form does not offer.
 */
final class StudioApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Page page;

    StudioApi(Page page) {
        this.page = page;
    }

    /** Uploads a style set and answers its id. */
    long uploadStyleSet(String name, String styleId, List<Path> images, String promptJson) {
        FormData form = FormData.create().set("name", name).set("styleId", styleId).set("prompts", promptJson);
        for (Path image : images) form.append("images", image);
        return post("/api/style-sets", RequestOptions.create().setMultipart(form)).get("id").asLong();
    }

    /** Starts a run on the default base model with a preset and overrides ({"base": "baseline", ...}). */
    long startRun(long styleSetId, String recipeJson) {
        String body = "{\"styleSetId\":" + styleSetId + ",\"recipe\":" + recipeJson + "}";
        return post("/api/runs", RequestOptions.create().setHeader("Content-Type", "application/json").setData(body))
                .get("id").asLong();
    }

    /** Starts a board run of several style sets on the default base model, with a recipe as {@link #startRun} takes it. */
    long startBoard(List<Long> styleSetIds, String recipeJson) {
        String body = "{\"styleSetIds\":" + styleSetIds + ",\"recipe\":" + recipeJson + "}";
        return post("/api/runs", RequestOptions.create().setHeader("Content-Type", "application/json").setData(body))
                .get("id").asLong();
    }

    JsonNode run(long id) {
        return read(page.request().get("/api/runs/" + id), "GET /api/runs/" + id);
    }

    private JsonNode post(String path, RequestOptions options) {
        Object token = page.evaluate("() => document.querySelector('meta[name=csrf-token]')?.content ?? ''");
        if (token != null && !token.toString().isEmpty()) options.setHeader("X-CSRF-Token", token.toString());
        return read(page.request().post(path, options), "POST " + path);
    }

    private static JsonNode read(APIResponse response, String what) {
        if (!response.ok()) throw new AssertionError(what + " answered " + response.status() + ": " + response.text());
        try {
            return JSON.readTree(response.text());
        } catch (Exception e) {
            throw new AssertionError(what + " did not answer JSON: " + response.text(), e);
        }
    }
}
