/* Found through the response file's -Iinc only. */
#define CFG_VALUE 2
