/** Start-up helpers shared by the server entry point and the command-line scripts. */
import { type Config, ConfigError, loadConfig } from "./config.js";

/** Loads the configuration, or prints one clear line naming the bad variable and exits 1. */
export function exitOnConfigError(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
