# bash completion for queuedeck(1); the options are those of app/commandline.cpp.
_queuedeck()
{
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev="${COMP_WORDS[COMP_CWORD - 1]}"
    case "$prev" in
    --data-dir)
        compopt -o filenames 2> /dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return
        ;;
    --config)
        compopt -o filenames 2> /dev/null
        mapfile -t COMPREPLY < <(compgen -f -X '!*@(.toml|.jsonc|.json)' -- "$cur"; compgen -d -- "$cur")
        return
        ;;
    --bind)
        mapfile -t COMPREPLY < <(compgen -W '127.0.0.1 ::1 0.0.0.0 ::' -- "$cur")
        return
        ;;
    --store)
        mapfile -t COMPREPLY < <(compgen -W 'postgresql://' -- "$cur")
        compopt -o nospace 2> /dev/null
        return
        ;;
    --port | --token | --node-timeout | --max-image-mb | --fetch-timeout)
        return
        ;;
    esac
    local options='--headless --data-dir --store --node-timeout --bind --port --config --token
        --max-image-mb --fetch-timeout --allow-file-urls --allow-private-urls --help --help-all --version'
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
}
complete -F _queuedeck queuedeck
