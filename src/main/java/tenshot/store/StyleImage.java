package tenshot.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;

/** One image of a style set, stored as an RGB PNG after orientation and alpha flattening. */
@Entity
@Table(name = "style_image")
public class StyleImage extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long styleSetId;

    public int position;

    /** What the image shows, from its file name: {@code wallet_.png} shows a "wallet". */
    public String objectName;

    /** The file name it was uploaded with. */
    public String fileName;

    public String artifactKey;

    public int width;

    public int height;

    public String sha256;

    public static Uni<List<StyleImage>> of(long styleSetId) {
        return list("styleSetId = ?1 order by position", styleSetId);
    }
}
