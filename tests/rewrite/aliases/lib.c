/* Exported symbols that run another function's body: each alias is gated
 * in its target's body, static or not, unless the alias or the target
 * says otherwise. */
int lib_init(void) { return 0; }

static int impl(int x) { return x + 1; }
int lib_alias(int) __attribute__((alias("impl")));

/* musl's weak_alias(impl, lib_weak) spells it so. */
extern __typeof(impl) lib_weak __attribute__((__weak__, __alias__("impl")));

int lib_public(int x) { return x * 2; }
int lib_public_alias(int) __attribute__((alias("lib_public")));

/* An alias of an alias runs the first target's body. */
int lib_chained(int) __attribute__((alias("lib_alias")));

/* A hidden alias is not exported: nothing to gate for it. */
__attribute__((visibility("hidden"))) int hidden_alias(int) __attribute__((alias("impl")));

static int quiet(int x) { return x; }
int lib_quiet(int) __attribute__((alias("quiet")));

/* The init function and a constructor stay ungated under any name. */
int lib_init_alias(void) __attribute__((alias("lib_init")));
static void setup(void) __attribute__((constructor));
static void setup(void) { }
void lib_setup(void) __attribute__((alias("setup")));
