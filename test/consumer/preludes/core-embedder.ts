// biome-ignore-all lint/correctness/noUnusedVariables: the README block this prelude is prepended to uses its names
// Prelude of packages/core README blocks that use the quick start's `embedder` ("as above").
import { createTransformersEmbedder as preludeEmbedder } from "@ragloom/core/transformers";

const embedder = await preludeEmbedder();
