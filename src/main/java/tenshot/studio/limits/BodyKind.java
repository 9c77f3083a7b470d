package tenshot.studio.limits;

import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * What an endpoint takes, as its {@code @Consumes} says, which decides how large its body may be: an
 * endpoint that consumes multipart/form-data is an upload (style sets, zips, evaluations); one that
 * consumes JSON takes a JSON document; anything else (HTML forms, no declared type) gets the small limit.
 */
public enum BodyKind {
    UPLOAD, JSON, FORM;

    public static BodyKind of(List<MediaType> consumes) {
        if (consumes == null) return FORM;
        boolean json = false;
        for (MediaType type : consumes) {
            if (type.isWildcardType()) return FORM;
            if (type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE)) return UPLOAD;
            json |= type.getSubtype().equals("json") || type.getSubtype().endsWith("+json");
        }
        return json ? JSON : FORM;
    }
}
