#!/usr/bin/env node
import { AbortError } from "@ragloom/core";
import { EXIT } from "./exit-codes.js";
import { run } from "./program.js";

const controller = new AbortController();
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) process.exit(EXIT.interrupted);
  interrupted = true;
  controller.abort(new AbortError("interrupted"));
});
void run(process.argv.slice(2), undefined, controller.signal).then((code) => {
  // the ONNX runtime may keep the event loop alive: exit once output is flushed
  process.stdout.write("", () => process.exit(code));
});
