// Generated from themes/*.toml: edit those files, then run
// CALLTOP_RECORD_THEMES=1 swift test --filter CallTopTUITests to regenerate.
// A test fails while this copy and the files differ.
enum EmbeddedThemes {
    static let sources: [(name: String, text: String)] = [
        ("default", #"""
# calltop default theme: the terminal's own background, the 16 ANSI colours.
#
# One line per style role:   role = "foreground [on background][, attribute]..."
# Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
#          bright_black (grey), bright_red ... bright_white, or 0-255.
# Attributes: bold, dim, underline, reverse, italic, blink, standout.
# A role left out takes its style from this default theme.

normal = "default"
header = "black on cyan"
badge = "bright_white on red, bold"
column_header = "default, bold, underline"
selected = "black on bright_cyan"
marked = "yellow, bold"

# Recording download states
downloaded = "green"
downloading = "cyan, bold"
pending = "blue, bold"
not_ready = "yellow"
retrying = "magenta, bold"
failed = "red, bold"
absent = "bright_black"

# Which transcript is authoritative
transcript_offline = "green, bold"
transcript_realtime = "yellow"

dim = "bright_black"
label = "cyan"
title = "default, bold"
status = "default"
error = "bright_red, bold"
warning = "yellow, bold"
footer = "black on white"
footer_key = "bright_white on blue, bold"
border = "cyan"
popup = "bright_white on blue"
filter_input = "default, bold"

"""#),
        ("light", #"""
# calltop light theme: for terminals with a light background. Avoids yellow
# and white text, which vanish on white.
#
# One line per style role:   role = "foreground [on background][, attribute]..."
# A role left out takes its style from the default theme.

normal = "default"
header = "white on blue, bold"
badge = "white on red, bold"
column_header = "black, bold, underline"
selected = "black on bright_cyan"
marked = "magenta, bold"

downloaded = "green"
downloading = "blue, bold"
pending = "blue"
not_ready = "magenta"
retrying = "magenta, bold"
failed = "red, bold"
absent = "bright_black"

transcript_offline = "green, bold"
transcript_realtime = "magenta"

dim = "bright_black"
label = "blue"
title = "black, bold"
status = "black"
error = "red, bold"
warning = "black on yellow"
footer = "white on bright_black"
footer_key = "white on blue, bold"
border = "blue"
popup = "black on bright_white"
filter_input = "black, bold"

"""#),
        ("high-contrast", #"""
# calltop high-contrast theme: black and white first, colour only where it
# carries meaning, and bold or underline so states differ without colour.
#
# One line per style role:   role = "foreground [on background][, attribute]..."
# A role left out takes its style from the default theme.

normal = "bright_white on black"
header = "black on bright_white, bold"
badge = "black on bright_yellow, bold"
column_header = "bright_white on black, bold, underline"
selected = "black on bright_white, bold"
marked = "bright_yellow on black, bold, underline"

downloaded = "bright_green on black, bold"
downloading = "bright_cyan on black, bold"
pending = "bright_white on black"
not_ready = "bright_yellow on black, bold"
retrying = "bright_magenta on black, bold"
failed = "bright_white on red, bold"
absent = "bright_white on black, dim"

transcript_offline = "bright_green on black, bold"
transcript_realtime = "bright_yellow on black, underline"

dim = "white on black"
label = "bright_cyan on black, bold"
title = "bright_white on black, bold, underline"
status = "bright_white on black"
error = "bright_white on red, bold"
warning = "black on bright_yellow, bold"
footer = "black on bright_white"
footer_key = "bright_yellow on black, bold"
border = "bright_white on black, bold"
popup = "black on bright_white, bold"
filter_input = "bright_yellow on black, bold"

"""#),
    ]
}
