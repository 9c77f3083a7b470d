package tenshot.ui;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import java.nio.file.Path;
import java.util.List;

/**
 * Drag and drop of real files onto a drop zone. Playwright cannot drag files from the OS, so the
 * files go through a temporary file input into a DataTransfer that is dropped on the element, which
 * is what the browser hands the page when a person drops them. A folder goes through Chromium's own
 * drag input (DevTools Input.dispatchDragEvent with its path), as the operating system hands it over:
 * the page then sees a directory entry to walk.
 */
final class BrowserDrops {

    private BrowserDrops() {}

    static void dropFiles(Page page, String dropZoneSelector, List<Path> files) {
        page.evaluate("() => { const i = document.createElement('input'); i.type = 'file'; i.multiple = true;"
                + " i.id = 'pw-drop-files'; i.style.display = 'none'; document.body.append(i); }");
        page.setInputFiles("#pw-drop-files", files.toArray(Path[]::new));
        page.evaluate("selector => { const input = document.getElementById('pw-drop-files');"
                + " const dt = new DataTransfer(); for (const f of input.files) dt.items.add(f);"
                + " const zone = document.querySelector(selector);"
                + " for (const type of ['dragenter', 'dragover', 'drop'])"
                + "   zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));"
                + " input.remove(); }", dropZoneSelector);
    }

    /** Drops a folder from disk onto the element, through Chromium's drag input (Chromium only). */
    static void dropFolder(Page page, String dropZoneSelector, Path folder) {
        page.locator(dropZoneSelector).scrollIntoViewIfNeeded();
        BoundingBox box = page.locator(dropZoneSelector).boundingBox();
        double x = box.x + box.width / 2, y = box.y + box.height / 2;
        CDPSession cdp = page.context().newCDPSession(page);
        try {
            JsonArray files = new JsonArray();
            files.add(folder.toAbsolutePath().toString());
            JsonObject data = new JsonObject();
            data.add("items", new JsonArray());
            data.add("files", files);
            data.addProperty("dragOperationsMask", 1); // copy
            for (String type : List.of("dragEnter", "dragOver", "drop")) {
                JsonObject event = new JsonObject();
                event.addProperty("type", type);
                event.addProperty("x", x);
                event.addProperty("y", y);
                event.add("data", data);
                cdp.send("Input.dispatchDragEvent", event);
            }
        } finally {
            cdp.detach();
        }
    }
}
