import { packageBuild } from "../../tsup.base";

// bin.ts is the `ragloom` executable (dist/bin.js); the shebang is kept
export default packageBuild(["src/index.ts", "src/bin.ts"], { dts: { entry: "src/index.ts" } });
