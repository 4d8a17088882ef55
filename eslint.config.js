import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * Module boundaries (docs/ARCHITECTURE.md, "Module boundaries"): routes → models → db; the
 * transports in server/ → models; models, the policy and the domain rules never import HTTP,
 * React components or the server; nothing imports in a circle. A wrong import fails `npm run lint`.
 */
const noServerInternals = {
  group: ["**/server/*", "**/server/**"],
  message: "The app never imports the server: the services it needs are interfaces in app/services.ts.",
};
const noHttp = [
  { group: ["@remix-run/*"], message: "Models and domain rules know nothing of HTTP: refuse with an AppError (app/errors.ts)." },
  { group: ["**/http/*", "**/routes/*"], message: "Models are called by routes, never the other way round." },
  { group: ["**/components/*", "**/components/**", "react", "react-dom", "react/*"], message: "Models hold no React: limits and rules live in the domain folders." },
];
const queryMethods = "/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom)$/";
const noQueries = {
  selector: `CallExpression[callee.property.name=${queryMethods}]`,
  message: "Queries belong in app/models (routes → models → db); call a model function instead.",
};

export default tseslint.config(
  { ignores: ["build/", "public/build/", "node_modules/", "data/", "test-results/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks, "import-x": importX },
    // Imports name ".js" files that are ".ts" on disk: the TypeScript resolver follows them.
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/extensions": [".ts", ".tsx", ".js"],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    // No import cycles in the product's code (type-only imports included: they are design too).
    files: ["app/**/*.{ts,tsx}", "server/**/*.ts", "db/**/*.ts"],
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // The Remix app reaches the database only through the load context, never its own connection,
    // and never imports the server process.
    files: ["app/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "pg", message: "Use context.services.db (docs/decisions/004)." },
            { name: "@electric-sql/pglite", message: "Use context.services.db (docs/decisions/004)." },
          ],
          patterns: [{ group: ["**/db/connect*"], message: "Use context.services.db (docs/decisions/004)." }, noServerInternals],
        },
      ],
    },
  },
  {
    // Models, the policy and the domain rules: no HTTP, no React, no server.
    files: [
      "app/models/**/*.ts",
      "app/policy/**/*.ts",
      "app/documents/**/*.ts",
      "app/meetings/**/*.ts",
      "app/proposals/**/*.ts",
      "app/search/**/*.ts",
      "app/realtime/contract.ts",
      "app/errors.ts",
      "app/services.ts",
      "app/email/**/*.ts",
      "app/auth/*.server.ts",
      "app/auth/schemas.ts",
      "app/identity/**/*.ts",
      "app/notifications/**/*.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "pg", message: "Use the db handed in (docs/decisions/004)." }],
          patterns: [{ group: ["**/db/connect*"], message: "Use the db handed in (docs/decisions/004)." }, noServerInternals, ...noHttp],
        },
      ],
    },
  },
  {
    // Routes, their HTTP helpers and components ask models; they run no SQL themselves. So does
    // the Socket.io service.
    files: ["app/routes/**/*.tsx", "app/http/**/*.ts", "app/components/**/*.{ts,tsx}", "app/exports/**/*.ts", "app/root.tsx", "server/socket.ts", "server/app.ts"],
    rules: { "no-restricted-syntax": ["error", noQueries] },
  },
  {
    files: ["test/**/*.ts", "server/cli/seed-demo.ts", "server/cli/search-reindex.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
);
