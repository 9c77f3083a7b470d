package tenshot.studio;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import tenshot.diffusion.demo.DemoModel;

/**
 * With no models directory configured, writes the demo model (SD 2.1 architecture, random weights)
 * into the data directory at startup, so the whole flow runs on a laptop CPU. Its images are noise.
 */
@ApplicationScoped
public class DemoModelSetup {

    private static final Logger LOG = Logger.getLogger(DemoModelSetup.class);

    @Inject
    BaseModels models;

    void onStart(@Observes StartupEvent event) {
        if (!models.demoOnly()) return;
        DemoModel.ensure(models.demoPath());
        LOG.infof("no tenshot.models-dir configured: using the demo model in %s (random weights; its images are noise)",
                models.demoPath());
    }
}
