/*
 * What the rewrite pass needs to know about each top-level function
 * declaration of a translation unit, gathered in one call.
 *
 * From Python, every libclang call costs a microsecond or more of ctypes
 * work, and a large file has tens of thousands of them: the walk cost a
 * third of the parse.  Here they cost what libclang itself does.  This file
 * only reports facts; passes/analyze.py decides what they mean, and
 * passes/facts.py gathers the same facts through ctypes where this file
 * cannot be built.
 *
 * It is built by the machine's own C compiler on first use and needs no
 * header of libclang's, nor links with it: passes/facts.py hands in the
 * functions of the libclang it has loaded, as the table `struct api`.  The
 * types below are libclang's, laid out as Index.h lays them out.
 */

typedef struct {
	int kind;
	int xdata;
	const void *data[3];
} CXCursor;

typedef struct {
	const void *ptr_data[2];
	unsigned int_data;
} CXSourceLocation;

typedef struct {
	const void *ptr_data[2];
	unsigned begin_int_data;
	unsigned end_int_data;
} CXSourceRange;

typedef struct {
	const void *data;
	unsigned private_flags;
} CXString;

typedef int (*visitor)(CXCursor, CXCursor, void *);

/* In this order, as passes/facts.py fills it. */
struct api {
	CXCursor (*translation_unit_cursor)(void *);
	unsigned (*visit_children)(CXCursor, visitor, void *);
	unsigned (*is_definition)(CXCursor);
	int (*linkage)(CXCursor);
	int (*visibility)(CXCursor);
	CXSourceLocation (*location)(CXCursor);
	CXSourceRange (*extent)(CXCursor);
	CXSourceLocation (*range_start)(CXSourceRange);
	CXSourceLocation (*range_end)(CXSourceRange);
	int (*in_system_header)(CXSourceLocation);
	int (*from_main_file)(CXSourceLocation);
	void (*expansion)(CXSourceLocation, void **, unsigned *, unsigned *, unsigned *);
	unsigned (*is_inlined)(CXCursor);
	CXString (*spelling)(CXCursor);
	const char *(*c_string)(CXString);
	void (*dispose_string)(CXString);
};

/* CXCursorKind and CXLinkageKind values. */
enum {
	FUNCTION_DECL = 8, PARM_DECL = 10, LINKAGE_SPEC = 23,
	COMPOUND_STMT = 202, UNEXPOSED_ATTR = 400, ANNOTATE_ATTR = 406, ASM_LABEL_ATTR = 407,
	LINKAGE_EXTERNAL = 4,
};

/* A CXSourceLocation's int_data: this bit marks a macro expansion. */
#define MACRO_LOCATION 0x80000000u

/* struct record's flags; passes/facts.py names the same bits. */
enum {
	FACT_DEFINITION = 1 << 0,
	FACT_SYSTEM_HEADER = 1 << 1,
	FACT_MAIN_FILE = 1 << 2,
	FACT_EXTERNAL = 1 << 3,
	FACT_INLINED = 1 << 4,
	FACT_END_IN_MACRO = 1 << 5,
	FACT_BODY = 1 << 6,
	FACT_ANNOTATE = 1 << 7,
	FACT_UNEXPOSED_ATTR = 1 << 8,
	FACT_ASM_LABEL = 1 << 9,
	FACT_VISIBILITY_SHIFT = 10,	/* two bits: CXVisibilityKind */
};

/*
 * One function declaration.  For one in a system header, which the pass
 * never edits, only the cursor, flags, name and name's place are filled.
 */
struct record {
	CXCursor cursor;
	const void *file;	/* expansion site of the name: file, line, offset */
	const void *body_file;	/* of the body's `{` (FACT_BODY) */
	const void *end_file;	/* of the declaration's last token */
	unsigned flags, line, offset, body_offset, end_offset;
	unsigned params_end;	/* end of the last parameter in end_file, if later */
	unsigned name, name_length;	/* in the names buffer */
};

struct walk {
	const struct api *api;
	struct record *records;
	unsigned *flags;	/* each record's flags again, packed for Python */
	unsigned count, capacity;
	char *names;
	unsigned names_used, names_capacity;
	int full;
	struct record *current;	/* while its children are visited */
	int last_kind;
	CXCursor last_child;
};

static void file_offset(const struct api *api, CXSourceLocation at, const void **file,
			unsigned *offset)
{
	void *handle = 0;

	api->expansion(at, &handle, 0, 0, offset);
	*file = handle;
}

static int visit_part(CXCursor part, CXCursor parent, void *data)
{
	struct walk *w = data;
	struct record *r = w->current;
	const void *file;
	unsigned end;

	(void)parent;
	w->last_kind = part.kind;
	w->last_child = part;
	if (part.kind == ANNOTATE_ATTR)
		r->flags |= FACT_ANNOTATE;
	else if (part.kind == UNEXPOSED_ATTR)
		r->flags |= FACT_UNEXPOSED_ATTR;
	else if (part.kind == ASM_LABEL_ATTR)
		r->flags |= FACT_ASM_LABEL;
	else if (part.kind == PARM_DECL) {
		/* K&R definitions declare parameters after the declarator. */
		file_offset(w->api, w->api->range_end(w->api->extent(part)), &file, &end);
		if (file == r->end_file && end > r->params_end)
			r->params_end = end;
	}
	return 1;
}

static int save_name(struct walk *w, struct record *r, CXCursor cursor)
{
	CXString name = w->api->spelling(cursor);
	const char *text = w->api->c_string(name);
	unsigned length = 0;

	while (text && text[length])
		length++;
	if (w->names_used + length > w->names_capacity) {
		w->api->dispose_string(name);
		return -1;
	}
	for (unsigned i = 0; i < length; i++)
		w->names[w->names_used + i] = text[i];
	r->name = w->names_used;
	r->name_length = length;
	w->names_used += length;
	w->api->dispose_string(name);
	return 0;
}

static void describe(struct walk *w, struct record *r, CXCursor cursor)
{
	const struct api *api = w->api;
	CXSourceLocation at = api->location(cursor);
	CXSourceLocation end;
	void *file = 0;

	r->flags |= api->in_system_header(at) ? FACT_SYSTEM_HEADER : 0;
	r->flags |= api->from_main_file(at) ? FACT_MAIN_FILE : 0;
	r->flags |= api->linkage(cursor) == LINKAGE_EXTERNAL ? FACT_EXTERNAL : 0;
	r->flags |= (unsigned)(api->visibility(cursor) & 3) << FACT_VISIBILITY_SHIFT;
	if (w->full && api->is_definition(cursor))
		r->flags |= FACT_DEFINITION;
	api->expansion(at, &file, &r->line, 0, &r->offset);
	r->file = file;
	if ((r->flags & (FACT_SYSTEM_HEADER | FACT_MAIN_FILE)) == FACT_SYSTEM_HEADER)
		return;

	r->flags |= api->is_inlined(cursor) ? FACT_INLINED : 0;
	end = api->range_end(api->extent(cursor));
	r->flags |= end.int_data & MACRO_LOCATION ? FACT_END_IN_MACRO : 0;
	file_offset(api, end, &r->end_file, &r->end_offset);
	r->params_end = r->end_offset;

	w->current = r;
	w->last_kind = 0;
	api->visit_children(cursor, visit_part, w);
	if (w->last_kind == COMPOUND_STMT) {
		r->flags |= FACT_BODY;
		file_offset(api, api->range_start(api->extent(w->last_child)), &r->body_file,
			    &r->body_offset);
	}
}

static int visit_top(CXCursor cursor, CXCursor parent, void *data)
{
	struct walk *w = data;
	struct record *r;

	(void)parent;
	if (cursor.kind == LINKAGE_SPEC)
		return 2;	/* CXChildVisit_Recurse: extern "C" blocks */
	if (cursor.kind != FUNCTION_DECL)
		return 1;
	if (w->count == w->capacity)
		return 0;	/* CXChildVisit_Break: the caller tries again, bigger */
	r = &w->records[w->count];
	*r = (struct record){ .cursor = cursor };
	if (save_name(w, r, cursor) != 0)
		return 0;
	describe(w, r, cursor);
	w->flags[w->count++] = r->flags;
	return 1;
}

/*
 * Fills `records`, `flags` (as many) and `names` for translation unit `tu`;
 * `full` says the parse kept function bodies (else FACT_DEFINITION is
 * never set: libclang cannot tell then).  Returns the number of records,
 * or -1 when a buffer was too small.
 */
int initgate_function_facts(const struct api *api, void *tu, int full,
			    struct record *records, unsigned *flags, unsigned capacity,
			    char *names, unsigned names_capacity);

int initgate_function_facts(const struct api *api, void *tu, int full,
			    struct record *records, unsigned *flags, unsigned capacity,
			    char *names, unsigned names_capacity)
{
	struct walk w = {
		.api = api, .records = records, .flags = flags, .capacity = capacity,
		.names = names, .names_capacity = names_capacity, .full = full,
	};

	if (api->visit_children(api->translation_unit_cursor(tu), visit_top, &w))
		return -1;
	return (int)w.count;
}

/* The size passes/facts.py must agree with before it reads a record. */
unsigned initgate_record_size(void);

unsigned initgate_record_size(void)
{
	return sizeof(struct record);
}
