#ifndef CALLTOP_CNCURSESW_SHIM_H
#define CALLTOP_CNCURSESW_SHIM_H
// SwiftPM drops pkg-config's -D flags, so the wide-character API is enabled here.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <curses.h>

// Globals and function-like macros do not import under Swift 6: read them here.
static inline WINDOW *calltop_stdscr(void) { return stdscr; }
static inline int calltop_lines(void) { return LINES; }
static inline int calltop_cols(void) { return COLS; }
static inline int calltop_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int calltop_key_resize(void) { return KEY_RESIZE; }
static inline attr_t calltop_a_bold(void) { return A_BOLD; }
static inline attr_t calltop_a_reverse(void) { return A_REVERSE; }
static inline attr_t calltop_a_underline(void) { return A_UNDERLINE; }
static inline attr_t calltop_a_dim(void) { return A_DIM; }
static inline attr_t calltop_a_normal(void) { return A_NORMAL; }
static inline void calltop_set_locale(void) { setlocale(LC_ALL, ""); }

// Added for the dashboard backend.
#include <stdio.h>
static inline int calltop_colors(void) { return COLORS; }
static inline int calltop_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t calltop_a_italic(void) { return A_ITALIC; }
static inline attr_t calltop_a_blink(void) { return A_BLINK; }
static inline attr_t calltop_a_standout(void) { return A_STANDOUT; }
// newterm returns NULL on failure where initscr would exit the process.
static inline SCREEN *calltop_newterm(void) { return newterm(NULL, stdout, stdin); }
#endif
