# bash completion for ksymres(8).
# Commands and options are read from `ksymres --help`, so they follow the
# binary; after -p of a command talking to a server (--server URL, or
# KSYMRES_SERVER) the identities come from `ksymres profiles --server URL`.

_ksymres_commands() {
	"$1" --help 2>/dev/null | awk '/^  [a-z]+ / { print $1 }' | sort -u
}

# The options the help text shows on the lines of one command
# (continuation lines included), short ones with their long forms (the
# "Short forms:" line), and the common ones.
_ksymres_options() {
	"$1" --help 2>/dev/null | awk -v cmd="$2" '
		/^Short forms:/ { for (i = 3; i <= NF; i++) { split($i, f, "/"); long[f[1]] = f[2] } }
		/^[^ ]/ { on = 0 }
		/^  [a-z]+ / { on = ($1 == cmd) }
		on { for (i = 1; i <= NF; i++) lines[n++] = $i }
		END {
			for (j = 0; j < n; j++) {
				w = lines[j]
				gsub(/[][()|.]/, " ", w)
				m = split(w, parts, " ")
				for (k = 1; k <= m; k++) {
					if (parts[k] ~ /^--[a-z][a-z-]*$/) print parts[k]
					else if (parts[k] ~ /^-[a-z]$/) { print parts[k]; if (parts[k] in long) print long[parts[k]] }
				}
			}
		}' | sort -u
	printf '%s\n' -j --json --pretty -h --help
}

# Files ending in one of the given suffixes, and directories (the caller
# sets compopt -o filenames: a subshell cannot).
_ksymres_files() {
	local cur=$1 ext
	shift
	for ext in "$@"; do
		compgen -f -X "!*$ext" -- "$cur"
	done
	compgen -d -- "$cur"
}

_ksymres() {
	local bin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} line words cmd= server= prev i
	# COMP_WORDS splits a URL at ':' and a label at '=': read the words
	# before the cursor from the line itself
	line=${COMP_LINE:0:COMP_POINT}
	read -ra words <<<"$line"
	[[ $line == *[[:space:]] ]] && words+=("")
	prev=${words[${#words[@]} - 2]:-}
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		case ${words[i]} in
		--server) server=${words[i + 1]:-} ;;
		--server=*) server=${words[i]#--server=} ;;
		-*) ;;
		*) [ -z "$cmd" ] && [ "${words[i - 1]}" != --server ] && cmd=${words[i]} ;;
		esac
	done
	COMPREPLY=()
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_ksymres_commands "$bin") --help --version" -- "$cur")
		return
	fi
	case $prev in
	-p | --profile)
		local url=${server:-${KSYMRES_SERVER:-}}
		if [ -n "$url" ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(timeout 3 "$bin" profiles --server "$url" 2>/dev/null |
				awk 'NR > 1 { print $1 }')" -- "$cur")
		fi
		[ -n "$server" ] && return
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(_ksymres_files "$cur" .profile)
		return ;;
	-o | --output | --out-dir | --store | --pin | --data-in | --btf | --kallsyms | --info | --from | \
	--token-file | --read-token-file | --tls-cert | --tls-key | --cacert | --modules | --config)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--server | --listen | --label | --release | --arch | --repeat | --push)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_ksymres_options "$bin" "$cmd")" -- "$cur")
		return
	fi
	case $cmd in
	store)
		[ "$prev" = store ] && mapfile -t COMPREPLY < <(compgen -W "reindex fsck" -- "$cur") ||
			mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	push | inspect | resolve | check | load) compopt -o filenames 2>/dev/null ;;
	esac
	case $cmd in
	push) mapfile -t COMPREPLY < <(_ksymres_files "$cur" .profile) ;;
	inspect | resolve | check | load) mapfile -t COMPREPLY < <(_ksymres_files "$cur" .o) ;;
	esac
}
complete -F _ksymres ksymres
