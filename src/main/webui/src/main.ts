import "./styles.css";

/**
 * One bundle for every page. The Qute layout includes it and says which page this is with
 * <body data-page="upload|styleset|runs|run|leaderboard">; each page's code is loaded only where needed.
 * Without the bundle the pages still show everything the server rendered.
 */
async function start(): Promise<void> {
  document.documentElement.classList.add("js");
  const page = document.body.dataset.page ?? guessPage(window.location.pathname);
  switch (page) {
    case "upload":
      (await import("./pages/upload")).mountUpload();
      break;
    case "styleset":
      (await import("./pages/styleSet")).mountRunForm();
      break;
    case "runs":
      (await import("./pages/runs")).mountRuns();
      break;
    case "run":
      (await import("./pages/run")).mountRun();
      break;
    case "leaderboard":
      (await import("./pages/leaderboard")).mountLeaderboard();
      break;
    default:
      break;
  }
}

function guessPage(path: string): string | undefined {
  if (/^\/(upload|style-sets\/new)\/?$/.test(path)) return "upload";
  if (/^\/runs\/?$/.test(path)) return "runs";
  if (/^\/runs\/[^/]+\/?$/.test(path)) return "run";
  if (/^\/leaderboard\/?$/.test(path)) return "leaderboard";
  return undefined;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void start());
else void start();
