using System.CommandLine;

namespace Scalpaiboard.Cli.Commands;

/// <summary><c>scalp scan</c> (see CONTRACT.md). Placeholder until its implementation lands: fails loudly.</summary>
public static class ScanCommand
{
    public static Command Create()
    {
        var command = new Command("scan", "Not available yet.");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("scalp scan: not implemented yet");
            return 2;
        });
        return command;
    }
}
