/** `npm run docs:permissions`: writes docs/permissions.md from the policy module. */
import fs from "node:fs";
import path from "node:path";
import { permissionsMarkdown } from "../../app/policy/policy.js";

const target = path.resolve(import.meta.dirname, "..", "..", "docs", "permissions.md");
fs.writeFileSync(target, permissionsMarkdown());
process.stdout.write(`Wrote ${path.relative(process.cwd(), target)}\n`);
