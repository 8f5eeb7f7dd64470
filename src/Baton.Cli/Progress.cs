using System.Diagnostics;
using Spectre.Console;

namespace Baton.Cli;

/// <summary>
/// Shows a run's progress: a live table of its steps (status, attempt, elapsed time, tokens) when stdout is a
/// terminal; plain lines on stderr when it is not, so stdout carries only the output; nothing in <c>--json</c> mode.
/// </summary>
internal static class Progress
{
    public static Task FollowAsync(RunHandle handle, bool json, CancellationToken cancellationToken)
    {
        if (json) return DrainAsync(handle, cancellationToken);
        return Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? PlainAsync(handle, cancellationToken) : LiveAsync(handle, cancellationToken);
    }

    private static async Task DrainAsync(RunHandle handle, CancellationToken cancellationToken)
    {
        await foreach (var _ in handle.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    private static async Task PlainAsync(RunHandle handle, CancellationToken cancellationToken)
    {
        await foreach (var e in handle.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (IsInputsStep(e)) continue;
            var line = e switch
            {
                StepStartedEvent s when !s.Key.Contains('/', StringComparison.Ordinal) => $"  {s.StepId}: started{(s.Attempt > 1 ? $" (attempt {s.Attempt})" : "")}",
                StepRetryingEvent r when !r.Key.Contains('/', StringComparison.Ordinal) => $"  {r.StepId}: attempt {r.Attempt} failed ({r.Error.Message}); retrying in {r.Delay.TotalSeconds:0.##}s",
                StepCompletedEvent c when !c.Key.Contains('/', StringComparison.Ordinal) => $"  {c.StepId}: {(c.Replayed ? "done before (replayed)" : $"completed in {c.Duration.TotalMilliseconds:0} ms")}{(c.Usage.TotalTokens > 0 ? $", {c.Usage.TotalTokens} tokens" : "")}",
                StepFailedEvent f when !f.Key.Contains('/', StringComparison.Ordinal) => $"  {f.StepId}: failed after {f.Attempts} attempt(s): {f.Error.Message}",
                StepWaitingForHumanEvent w => $"  waiting for a person: {w.Request.Prompt}",
                _ => null,
            };
            if (line is not null) Console.Error.WriteLine(line);
        }
    }

    private static async Task LiveAsync(RunHandle handle, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, (string Status, int Attempt, Stopwatch Clock, long Tokens)>(StringComparer.Ordinal);
        var table = new Table().AddColumns("step", "status", "attempt", "elapsed", "tokens");
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            await foreach (var e in handle.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (IsInputsStep(e)) continue;
                switch (e)
                {
                    case StepStartedEvent s when !s.Key.Contains('/', StringComparison.Ordinal):
                        rows[s.StepId] = ("[yellow]running[/]", s.Attempt, Stopwatch.StartNew(), 0);
                        break;
                    case StepRetryingEvent r when rows.TryGetValue(r.StepId, out var row):
                        rows[r.StepId] = row with { Status = "[orange1]retrying[/]" };
                        break;
                    case StepCompletedEvent c when !c.Key.Contains('/', StringComparison.Ordinal):
                        var tokens = (rows.TryGetValue(c.StepId, out var done) ? done.Tokens : 0) + c.Usage.TotalTokens;
                        rows[c.StepId] = (c.Replayed ? "[grey]replayed[/]" : "[green]done[/]", c.Attempts, done.Clock ?? new Stopwatch(), tokens);
                        rows[c.StepId].Clock.Stop();
                        break;
                    case StepCompletedEvent nested when TopStep(nested.Key) is { } top && rows.TryGetValue(top, out var parent):
                        // A nested step's tokens count towards the top-level step it runs in.
                        rows[top] = parent with { Tokens = parent.Tokens + nested.Usage.TotalTokens };
                        break;
                    case StepFailedEvent f when !f.Key.Contains('/', StringComparison.Ordinal):
                        rows[f.StepId] = ("[red]failed[/]", f.Attempts, rows.TryGetValue(f.StepId, out var failed) ? failed.Clock : new Stopwatch(), 0);
                        rows[f.StepId].Clock.Stop();
                        break;
                    case StepWaitingForHumanEvent w:
                        rows["(ask)"] = ($"[blue]waiting[/]: {Markup.Escape(w.Request.Prompt)}", 1, new Stopwatch(), 0);
                        break;
                    default:
                        continue;
                }

                table.Rows.Clear();
                foreach (var (step, row) in rows) table.AddRow(Markup.Escape(step), row.Status, row.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{row.Clock.Elapsed.TotalSeconds:0.0}s", row.Tokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
                context.Refresh();
            }
        }).ConfigureAwait(false);
    }

    /// <summary>The id of the top-level step a nested key runs in (<c>2:route/billing/1:senior</c> → <c>route</c>).</summary>
    private static string? TopStep(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return null;
        var top = key[..slash];
        return top[(top.IndexOf(':', StringComparison.Ordinal) + 1)..];
    }

    /// <summary>The step that stores a file's inputs is the engine's, not the user's: not shown.</summary>
    private static bool IsInputsStep(RunEvent e) => e switch
    {
        StepStartedEvent { Key: "1:inputs" } or StepCompletedEvent { Key: "1:inputs" } or StepFailedEvent { Key: "1:inputs" } or StepRetryingEvent { Key: "1:inputs" } => true,
        _ => false,
    };
}
