// biome-ignore-all lint/correctness/noUnusedVariables: the README block this prelude is prepended to uses its names
// Prelude of packages/self-query README blocks that use the example's `schema` ("as above").
import { defineSchema as preludeDefineSchema } from "@ragloom/self-query";

const schema = preludeDefineSchema([
  {
    name: "technology",
    type: "string",
    description: "Main technology",
    values: ["redis", { value: "kubernetes", synonyms: ["k8s"] }, "react", "vue"],
  },
  { name: "doc_type", type: "string", description: "Kind of page", values: ["guide", "changelog"] },
  { name: "published", type: "date", description: "Publication date" },
]);
