package tenshot.ui;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.util.List;

/**
 * Drag and drop of real files onto a drop zone. Playwright cannot drag files from the OS, so the
 * files go through a temporary file input into a DataTransfer that is dropped on the element, which
 * is what the browser hands the page when a person drops them.
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
}
