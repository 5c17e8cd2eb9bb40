/** The Discord command's kind choices come from the kind descriptors, so a new kind appears without an edit here. */
import type { APIApplicationCommandOption } from 'discord.js';
import { OPTION_KIND, TASK_STATUS_COMMAND } from '../../../src/chat/discord/command-definition';
import { parseCommand } from '../../../src/commands/parse-command';
import { kindDescriptor, subscribableKinds } from '../../../src/providers/kinds';
import { TASK_KINDS } from '../../../src/providers/types';

function kindChoicesOf(subcommand: string): { name: string; value: string }[] {
  const options = (TASK_STATUS_COMMAND.options ?? []) as APIApplicationCommandOption[];
  const found = options.find((option) => option.name === subcommand) as { options?: APIApplicationCommandOption[] } | undefined;
  const kind = found?.options?.find((option) => option.name === OPTION_KIND) as { choices?: { name: string; value: string }[] } | undefined;
  return kind?.choices ?? [];
}

describe('discord command kind choices', () => {
  it.each(['query', 'watch'])('given the %s subcommand, then every kind is a choice, purge included', (subcommand) => {
    const values = kindChoicesOf(subcommand).map((choice) => choice.value);
    expect(values).toEqual([...TASK_KINDS]);
    expect(values).toContain('purge');
  });

  it('given the subscribe subcommand, then exactly the subscribable kinds are choices, each of which the grammar accepts', () => {
    const choices = kindChoicesOf('subscribe');
    expect(choices.map((choice) => choice.value)).toEqual(subscribableKinds().map((descriptor) => descriptor.kind));
    expect(choices.map((choice) => choice.value)).toEqual(expect.arrayContaining(['cdn', 'purge', 'tcss']));
    for (const choice of choices) {
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(choice.name).toContain(kindDescriptor(choice.value as (typeof TASK_KINDS)[number]).subscription?.label);
      expect(parseCommand(`subscribe ${choice.value}`)).toMatchObject({ ok: true, command: { type: 'subscribe', kind: choice.value } });
    }
  });
});
