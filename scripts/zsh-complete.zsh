# zsh -f scripts/zsh-complete.zsh FPATH_DIR 'COMMAND LINE': types the command line and a Tab
# into an interactive zsh (in a pseudo-terminal, completion functions from FPATH_DIR first)
# and prints the screen it answers with, escape sequences and all. For package-check.sh.
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; LISTMAX=1000; PROMPT='> '; print READY"
zpty -r z line '*READY*'
zpty -n -w z "$2"$'\t'
# No event says the completion is drawn; give it a second, then end the line.
sleep 1
zpty -n -w z $'\C-c'
sleep 0.3
out=""
while zpty -r -t z chunk; do out+=$chunk; done
print -r -- "$out"
zpty -d z
