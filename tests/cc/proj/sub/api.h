/* Found only through the quoted include's own folder (the wrapper's -iquote). */
#define API_ANSWER 42
int api_answer(void);
const char *api_file(void);
int api_line(void);
