/* Exports that verify must warn about: a libc name, and initial-exec TLS. */
#include "../../runtime_c/gate.h"

static __thread int depth __attribute__((tls_model("initial-exec")));

void free(void *p) { _cgo_wait_runtime_init_done();
	(void)p;
	depth++;
}
