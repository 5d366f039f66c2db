// Validates Kubernetes objects (a multi-document YAML stream on stdin, as `kubectl kustomize` prints it) against
// the API's OpenAPI schemas, with the kubernetes-models classes. Prints one JSON object: "Kind/name" -> error or
// null. An apiVersion/kind the models do not know is an error too.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const results = {};
for (const doc of parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = doc.toJS();
  if (!object) continue;
  const id = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}`;
  try {
    const Model = (await import(module))[object.kind];
    new Model(object).validate();
    results[id] = null;
  } catch (e) {
    results[id] = e.code === "ERR_MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED"
      ? `no schema for ${object.apiVersion} ${object.kind}` : e.message;
  }
}
console.log(JSON.stringify(results));
