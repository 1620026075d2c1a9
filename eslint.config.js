import js from "@eslint/js"
import tseslint from "typescript-eslint"
import globals from "globals"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/build/**", "**/*.generated.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      // `{}` is the empty record the pipeline DSL's types start from
      "@typescript-eslint/no-empty-object-type": "off"
    }
  },
  // pipeline files are declarations the DSL types end to end: no casts, no non-null assertions
  {
    files: ["pipelines/**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
      "@typescript-eslint/no-non-null-assertion": "error"
    }
  },
  // an entry lists what it exports by name, so nothing becomes public by being added to a module
  {
    files: ["packages/*/src/**/*.ts", "tools/*/src/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration[exported=null]", message: "Export names, not `export *`: entries list their public API (see CONTRIBUTING.md)." }
      ]
    }
  },
  // build and CI scripts run in Node
  { files: ["**/*.mjs"], languageOptions: { globals: globals.node } },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: globals.node }, rules: { "@typescript-eslint/no-require-imports": "off" } }
)
