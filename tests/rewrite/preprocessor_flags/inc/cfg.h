/* Found through -Wp,-Iinc only. */
#define CFG_FOUND 1
