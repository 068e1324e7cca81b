import { type Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';

/** Every command path with its subcommands and flags, read from the program itself. */
function tree(program: Command): Record<string, string[]> {
  const words: Record<string, string[]> = {};
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.map((c) => c.name());
    const flags = cmd.options.flatMap((o) =>
      [o.long, o.short].filter((f): f is string => Boolean(f)),
    );
    words[path] = [...subs, ...flags, '--help'];
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  words[''] = [...(words[''] ?? []), '--json', '--broker', '--no-color'];
  return words;
}

function bashScript(program: Command): string {
  const cases = Object.entries(tree(program))
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# micromesh completion for bash (and zsh through bashcompinit)
_micromesh() {
  local cur path i w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    if [ -z "$path" ]; then path="$w"; else path="$path $w"; fi
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _micromesh micromesh
`;
}

export function completionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      `
Examples:
  micromesh completion bash > /etc/bash_completion.d/micromesh
  echo 'source <(micromesh completion zsh)' >> ~/.zshrc`,
    )
    .action((shell: string) => {
      if (shell === 'bash') process.stdout.write(bashScript(program));
      else if (shell === 'zsh') {
        process.stdout.write(
          `#compdef micromesh\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(program)}`,
        );
      } else throw new CliError(`no completion for ${shell} (bash or zsh)`, EXIT.usage);
    });
}
