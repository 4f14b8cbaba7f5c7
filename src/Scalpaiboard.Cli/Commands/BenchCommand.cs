using System.CommandLine;

namespace Scalpaiboard.Cli.Commands;

/// <summary><c>scalp bench</c> (see CONTRACT.md). Placeholder until its implementation lands: fails loudly.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Not available yet.");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("scalp bench: not implemented yet");
            return 2;
        });
        return command;
    }
}
