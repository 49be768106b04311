# bash completion for queuedeck(1): the options of app/commandline.cpp, and `queuedeck ctl`
# with the commands and options of app/ctl.cpp. scripts/package-check.sh checks that every
# option the installed binary's --help lists is here.
_queuedeck_ctl()
{
    local cur="$1" prev="$2" command="$3"
    case "$prev" in
    --config)
        compopt -o filenames 2> /dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    --state)
        mapfile -t COMPREPLY < <(compgen -W 'ready delayed inflight acked failed dead_lettered' -- "$cur")
        return
        ;;
    --content-type)
        mapfile -t COMPREPLY < <(compgen -W 'json text' -- "$cur")
        return
        ;;
    --endpoint)
        mapfile -t COMPREPLY < <(compgen -W 'http://127.0.0.1:8787' -- "$cur")
        return
        ;;
    --token | --search | --queue | --limit | --offset | --delay | --count | --timeout | --interval)
        return
        ;;
    esac
    if [ -z "$command" ]; then
        mapfile -t COMPREPLY < <(compgen -W 'queues send messages retry redrive purge pause resume tail' -- "$cur")
        return
    fi
    local options='--endpoint --token --config --json --help'
    case "$command" in
    send) options+=' --delay --content-type' ;;
    messages) options+=' --state --search --limit --offset' ;;
    retry) options+=' --queue --state --search --all --delay' ;;
    purge) options+=' --yes' ;;
    tail) options+=' --count --timeout --interval' ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
}

_queuedeck()
{
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev="${COMP_WORDS[COMP_CWORD - 1]}"
    if [ "${COMP_WORDS[1]}" = ctl ] && [ "$COMP_CWORD" -gt 1 ]; then
        # The ctl command: the first word after `ctl` that is not an option or its value.
        local command="" i
        for ((i = 2; i < COMP_CWORD; ++i)); do
            case "${COMP_WORDS[i]}" in
            --endpoint | --token | --config) ((++i)) ;;
            -*) ;;
            *) command="${COMP_WORDS[i]}"; break ;;
            esac
        done
        _queuedeck_ctl "$cur" "$prev" "$command"
        return
    fi
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
    --worker)
        # A Worker project's folder, or its wrangler file.
        compopt -o filenames 2> /dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*wrangler.@(toml|jsonc|json)' -- "$cur")
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
    --log-format)
        mapfile -t COMPREPLY < <(compgen -W 'text json' -- "$cur")
        return
        ;;
    --log-level)
        mapfile -t COMPREPLY < <(compgen -W 'debug info warning error' -- "$cur")
        return
        ;;
    --port | --token | --node-timeout | --max-image-mb | --fetch-timeout | --allow-host | --allow-origin)
        return
        ;;
    esac
    local options='--headless --data-dir --store --node-timeout --bind --port --config --worker --token
        --allow-host --allow-origin --insecure-no-token --max-image-mb --fetch-timeout
        --allow-file-urls --allow-private-urls --log-format --log-level --help --help-all --version'
    if [ "$COMP_CWORD" -eq 1 ]; then
        options+=' ctl'
    fi
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
}
complete -F _queuedeck queuedeck
