/**
 * A generated project of N headers for bench/scale.ts: each header has macros, an enum,
 * a record holding a bitfield struct, a typedef, a callback and four functions, and
 * includes one shared header (include/common.h). Writers cffi and json, outputs by
 * template (bindings/{stem}.cdef.txt, bindings/{stem}.json), a `.git` marking the root.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const COMMON = `#ifndef SCALE_COMMON_H
#define SCALE_COMMON_H
#include <stdint.h>
#define SCALE_API
typedef int32_t scale_status;
typedef struct scale_point { int32_t x; int32_t y; } scale_point;
#endif
`

export function headerText(i: number, edit = ''): string {
  const p = `m${i}`
  return `#ifndef SCALE_${p.toUpperCase()}_H
#define SCALE_${p.toUpperCase()}_H
#include "common.h"
/* ${edit} */
#define ${p.toUpperCase()}_VERSION ${i}
#define ${p.toUpperCase()}_NAME "module ${i}"
#define ${p.toUpperCase()}_MASK (1u << ${i % 31})
enum ${p}_kind { ${p.toUpperCase()}_A = 0, ${p.toUpperCase()}_B = 1, ${p.toUpperCase()}_C = ${i} };
struct ${p}_flags { unsigned ready : 1; unsigned mode : 3; unsigned spare : 4; };
struct ${p}_record {
  int32_t id;
  enum ${p}_kind kind;
  struct ${p}_flags flags;
  scale_point where;
  const char *name;
};
typedef struct ${p}_record ${p}_record_t;
typedef void (*${p}_callback)(void *user, const ${p}_record_t *record);
SCALE_API scale_status ${p}_open(const char *path, ${p}_record_t **out);
SCALE_API scale_status ${p}_each(${p}_record_t *record, ${p}_callback cb, void *user);
SCALE_API int32_t ${p}_count(const ${p}_record_t *record);
SCALE_API void ${p}_close(${p}_record_t *record);
#endif
`
}

/** Writes the project into `dir` (created) and returns the project-relative header paths. */
export function writeScaleProject(dir: string, n: number): string[] {
  mkdirSync(join(dir, '.git'), {recursive: true})
  mkdirSync(join(dir, 'include'), {recursive: true})
  writeFileSync(join(dir, 'include/common.h'), COMMON)
  const headers: string[] = []
  for (let i = 0; i < n; i++) {
    const rel = `include/m${i}.h`
    writeFileSync(join(dir, rel), headerText(i))
    headers.push(rel)
  }
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]
name = "scale-${n}"
version = "1.0.0"

[tool.headerkit]
writers = ["cffi", "json"]
include_dirs = ["include"]

[[tool.headerkit.headers]]
pattern = "include/m*.h"

[tool.headerkit.output]
cffi = "bindings/{stem}.cdef.txt"
json = "bindings/{stem}.json"
`,
  )
  return headers
}
