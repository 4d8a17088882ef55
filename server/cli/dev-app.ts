/**
 * `npm run dev`: what `remix dev --manual -c "<command>"` does (rebuild the app on every change and
 * tell the running server to reload it), without loading the `remix` command line, which loads
 * Remix's Vite plugin and with it the deprecated CommonJS build of Vite's Node API (see
 * build-app.ts). The command it runs is our own server under `tsx watch`, which restarts it when
 * a file under server/ or db/ changes; app/ changes are the compiler's.
 */
import net from "node:net";
import path from "node:path";
import { readConfig } from "@remix-run/dev/dist/config.js";
import { serve } from "@remix-run/dev/dist/devServer_unstable/index.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const serverCommand =
  "tsx watch --clear-screen=false --ignore ./app/** --ignore ./build/** --ignore ./public/build/** server/main.ts";

process.env.NODE_ENV = "development";
const config = await readConfig(root);
/** A port nothing listens on, for the compiler's channel to the server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

// The port the compiler and the server talk on (not the app's PORT), as `remix dev` chooses it.
const port = Number(process.env.REMIX_DEV_PORT ?? config.dev.port ?? (await freePort()));
const origin = new URL(process.env.REMIX_DEV_ORIGIN ?? `http://localhost:${port}`);
await serve(config, { port, command: serverCommand, manual: true, REMIX_DEV_ORIGIN: origin });
