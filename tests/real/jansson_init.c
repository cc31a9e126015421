/*
 * The init function the jansson test compiles into libjansson with
 * --init-source.
 *
 * It does real work through jansson's own exported API on the init thread
 * (where the gate must let it through): build a document, dump it, parse
 * the text back and compare.  Hidden, so check-exports sees jansson's
 * exports and nothing else.
 */
#include <string.h>

#include <jansson.h>
#include "hold.h"

__attribute__((visibility("hidden"))) int jansson_test_init(void)
{
	json_t *document, *again;
	json_error_t error;
	char *text;
	int i, same;

	if (hold_for_test() != 0)
		return 1;

	document = json_pack("{s:s, s:i, s:[]}", "name", "initgate", "answer", 42, "items");
	if (!document)
		return 2;
	for (i = 0; i < 1000; i++)
		json_array_append_new(json_object_get(document, "items"), json_integer(i * i));
	text = json_dumps(document, JSON_SORT_KEYS | JSON_COMPACT);
	if (!text)
		return 3;
	again = json_loads(text, 0, &error);
	same = again && json_equal(document, again) &&
	       strstr(text, "\"answer\":42") != NULL;
	free(text);
	json_decref(again);
	json_decref(document);
	return same ? 0 : 4;
}
