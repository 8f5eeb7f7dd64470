using System.CommandLine;
using System.CommandLine.Parsing;

namespace Baton.Cli;

/// <summary>
/// What a command line that does not parse gets told: a mistyped command or option is named with the closest one
/// ("did you mean"), among the commands and options that exist where it was typed.
/// </summary>
internal static class CommandLineErrors
{
    public static IReadOnlyList<string> Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var where = CommandPath(parsed.CommandResult);
        if (parsed.UnmatchedTokens.Count > 0)
        {
            var token = parsed.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var name = token.Split('=', 2)[0];
                var options = OptionNames(parsed.CommandResult);
                return [$"unknown option '{name}' for '{where}'{DidYouMean(name, options) ?? $"; run 'baton help {Help(where)}' for its options"}"];
            }

            var subcommands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToArray();
            if (subcommands.Length > 0) return [$"unknown command '{token}' for '{where}'{DidYouMean(token, subcommands) ?? $": use {string.Join(", ", subcommands)}"}"];
            return [$"unexpected argument '{token}' for '{where}'; run 'baton help {Help(where)}' for usage"];
        }

        return [.. parsed.Errors.Select(e => e.Message), $"run 'baton help {Help(where)}' for usage"];
    }

    private static string Help(string where) => where.Length > "baton".Length ? where["baton ".Length..] : "";

    private static string? DidYouMean(string word, IEnumerable<string> known) => Suggestions.Closest(word, known) is { } near ? $"; did you mean '{near}'?" : null;

    /// <summary>The options that may follow the command: its own and its parents' recursive ones (such as --help).</summary>
    private static List<string> OptionNames(CommandResult result)
    {
        var names = new List<string>();
        var own = true;
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
        {
            foreach (var option in c.Command.Options.Where(o => !o.Hidden && (own || o.Recursive)))
            {
                names.Add(option.Name);
                names.AddRange(option.Aliases);
            }

            own = false;
        }

        return names;
    }

    /// <summary><c>baton runs show</c>: the command as typed, the program called <c>baton</c> whatever its file is named.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent) names.Insert(0, c.Parent is null ? "baton" : c.Command.Name);
        return string.Join(' ', names);
    }
}
