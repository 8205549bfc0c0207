// Validate data files against the shapes of a folder (its *.ttl) with shacl-engine and its
// SPARQL plugin; print, per data file, the results as JSON: conforms, and per result its focus
// node, path, severity, shape, constraint component and value (terms in N-Triples form, a path
// as its IRI or "complex"). One run for many files: Node and Comunica start once.
// Usage: node validate.mjs SHAPES_FOLDER DATA...   (Turtle or N-Triples; all graphs merged)
import rdfDataModel from '@rdfjs/data-model'
import rdfDataset from '@rdfjs/dataset'
import toNT from '@rdfjs/to-ntriples'
import { Parser } from 'n3'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Validator } from 'shacl-engine'
import { targetResolvers, validations } from 'shacl-engine/sparql.js'

function load (paths) {
  const dataset = rdfDataset.dataset()
  for (const path of paths) {
    const parser = new Parser({ factory: rdfDataModel, baseIRI: pathToFileURL(path).href })
    for (const quad of parser.parse(readFileSync(path, 'utf8'))) {
      dataset.add(rdfDataModel.quad(quad.subject, quad.predicate, quad.object))
    }
  }
  return dataset
}

function path (steps) {
  if (!steps || steps.length === 0) {
    return null
  }
  const [step] = steps
  const simple = steps.length === 1 && step.predicates.length === 1 &&
    step.start === 'subject' && step.end === 'object' && step.quantifier === 'one'
  return simple ? step.predicates[0].value : 'complex'
}

const [folder, ...files] = process.argv.slice(2)
const shapes = readdirSync(folder).filter(name => name.endsWith('.ttl')).sort().map(name => join(folder, name))
const validator = new Validator(load(shapes), { factory: rdfDataModel, targetResolvers, validations })
const term = t => (t ? toNT(t) : null)
const reports = {}
for (const file of files) {
  const report = await validator.validate({ dataset: load([file]) })
  reports[file] = {
    conforms: report.conforms,
    results: report.results.map(r => ({
      focus: term(r.focusNode.term),
      path: path(r.path),
      severity: r.severity.value,
      shape: term(r.shape.ptr.term),
      component: r.constraintComponent.value,
      value: term(r.value && r.value.term)
    }))
  }
}
console.log(JSON.stringify(reports, null, 1))
