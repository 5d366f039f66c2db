// Lints Dockerfiles with dockerfile-utils (the validator behind the Docker language server) and prints one JSON
// object: file -> list of problems ({line, severity, message}). Every rule is on, warnings included.
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const ERROR = 2;
const every = Object.fromEntries(
  ["deprecatedMaintainer", "directiveCasing", "emptyContinuationLine", "instructionCasing", "instructionCmdMultiple",
   "instructionEntrypointMultiple", "instructionHealthcheckMultiple", "instructionJSONInSingleQuotes",
   "instructionWorkdirRelative"].map((rule) => [rule, ERROR]));

const report = {};
for (const file of process.argv.slice(2)) {
  report[file] = validate(readFileSync(file, "utf8"), every).map((d) => ({
    line: d.range.start.line + 1,
    severity: d.severity === 1 ? "error" : "warning",
    message: d.message,
  }));
}
console.log(JSON.stringify(report));
