/*
 * The init function the Lua tests build into liblua.
 *
 * It runs a Lua chunk through Lua's own gated API on the init thread (where
 * the gate must let it through): a new state, the standard libraries, a
 * table filled and checked.  Hidden, so the export table is Lua's alone.
 */
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "hold.h"

static const char chunk[] =
	"local t = {} for i = 1, 1000 do t[i] = i * i end "
	"return #t == 1000 and t[30] == 900 and string.format('%d', t[7]) == '49'";

__attribute__((visibility("hidden"))) int lua_test_init(void)
{
	lua_State *L;
	int ok;

	if (hold_for_test() != 0)
		return 1;
	L = luaL_newstate();
	if (!L)
		return 2;
	luaL_openlibs(L);
	ok = luaL_dostring(L, chunk) == LUA_OK && lua_toboolean(L, -1);
	lua_close(L);
	return ok ? 0 : 3;
}
