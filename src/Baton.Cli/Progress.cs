using System.Globalization;
using Spectre.Console;

namespace Baton.Cli;

/// <summary>
/// Shows a run's progress: a live table of its steps, nested ones indented under their parent (status, attempt,
/// elapsed time, tokens, and the last error, retry reason or fallback) when stdout is a terminal; plain lines naming
/// each step's path on stderr when it is not, so stdout carries only the output; nothing in <c>--json</c> mode.
/// </summary>
internal static class Progress
{
    public static Task FollowAsync(RunHandle handle, bool json, CancellationToken cancellationToken) => FollowAsync(handle.WatchAsync(cancellationToken), json, cancellationToken);

    /// <summary>Shows the progress told by <paramref name="events"/> (a run of this process, or one followed through the store).</summary>
    public static Task FollowAsync(IAsyncEnumerable<RunEvent> events, bool json, CancellationToken cancellationToken)
    {
        if (json) return DrainAsync(events, cancellationToken);
        return Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? PlainAsync(events, cancellationToken) : LiveAsync(events, cancellationToken);
    }

    private static async Task DrainAsync(IAsyncEnumerable<RunEvent> events, CancellationToken cancellationToken)
    {
        await foreach (var _ in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    private static async Task PlainAsync(IAsyncEnumerable<RunEvent> events, CancellationToken cancellationToken)
    {
        var board = new ProgressBoard();
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (board.Apply(e) is { } line) Console.Error.WriteLine(line);
        }
    }

    private static async Task LiveAsync(IAsyncEnumerable<RunEvent> events, CancellationToken cancellationToken)
    {
        var board = new ProgressBoard();
        var table = new Table().AddColumns("step", "status", "attempt", "elapsed", "tokens", "note");
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (board.Apply(e) is null) continue;
                var now = DateTimeOffset.UtcNow;
                table.Rows.Clear();
                foreach (var row in board.Rows())
                {
                    var elapsed = row.StartedAt is { } started ? ((row.EndedAt ?? now) - started).TotalSeconds : 0;
                    table.AddRow(
                        Markup.Escape(new string(' ', 2 * row.Depth) + row.Name(board.ParentPath(row))),
                        Status(row.Status),
                        row.Attempt.ToString(CultureInfo.InvariantCulture),
                        $"{elapsed.ToString("0.0", CultureInfo.InvariantCulture)}s",
                        row.Tokens.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(row.Note ?? ""));
                }

                context.Refresh();
            }
        }).ConfigureAwait(false);
    }

    private static string Status(string status) => status switch
    {
        "running" => "[yellow]running[/]",
        "retrying" => "[orange1]retrying[/]",
        "done" => "[green]done[/]",
        "replayed" => "[grey]replayed[/]",
        "failed" => "[red]failed[/]",
        "waiting" => "[blue]waiting[/]",
        _ => Markup.Escape(status),
    };
}
