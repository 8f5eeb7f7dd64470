using Baton.Storage;

namespace Baton.Reports;

/// <summary>
/// Builds <see cref="RunReport"/>s from a store: the run's record, its journal, its open questions and the runs it
/// started. A composite step still in flight (its children journaled, itself not yet) is shown running from its first
/// child's start, so every step's parent is in the report.
/// </summary>
public sealed class RunReportBuilder
{
    private readonly IRunStore _store;

    /// <summary>A builder reading <paramref name="store"/>.</summary>
    public RunReportBuilder(IRunStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// Journal keys of steps kept out of reports, with everything nested in them: steps a host adds that are not the
    /// user's (a workflow file's <c>1:inputs</c>).
    /// </summary>
    public IReadOnlyCollection<string> HiddenKeys { get; init; } = [];

    /// <summary>Finds a run's workflow (for the steps' agent names) when none is given, e.g. for child runs; may return null.</summary>
    public Func<RunRecord, Workflow?>? WorkflowResolver { get; init; }

    /// <summary>How deep child runs' reports nest (children of children...).</summary>
    public int MaxChildDepth { get; init; } = 3;

    /// <summary>Builds the report of one run.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="workflow">Its workflow, for agent names; else <see cref="WorkflowResolver"/>'s; else agents are null.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public Task<RunReport> BuildAsync(string runId, Workflow? workflow = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return BuildAsync(runId, workflow, 0, cancellationToken);
    }

    private async Task<RunReport> BuildAsync(string runId, Workflow? workflow, int depth, CancellationToken cancellationToken)
    {
        var run = await _store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"there is no run '{runId}' in the store");
        workflow ??= WorkflowResolver?.Invoke(run);
        var journal = await _store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        var steps = new Dictionary<string, StepFacts>(StringComparer.Ordinal);
        var usage = Usage.None;
        Payload? output = null;
        StepError? error = null;
        foreach (var entry in journal)
        {
            usage += entry.Usage;
            switch (entry.Kind)
            {
                case JournalEntryKind.StepCompleted or JournalEntryKind.StepFailed when entry.Key is { } key && !IsHidden(key):
                    // A composite retried runs a child again under the same key: the last entry tells how it ended,
                    // the first when it started.
                    var facts = steps.TryGetValue(key, out var known) ? known : steps[key] = new StepFacts(entry.StartedAt);
                    facts.StartedAt = entry.StartedAt < facts.StartedAt ? entry.StartedAt : facts.StartedAt;
                    facts.Status = entry.Kind == JournalEntryKind.StepCompleted ? "succeeded" : "failed";
                    facts.Attempts = entry.Attempts;
                    facts.EndedAt = entry.Timestamp;
                    facts.Output = entry.Kind == JournalEntryKind.StepCompleted ? entry.Payload : null;
                    facts.Error = entry.Error;
                    facts.Usage += entry.Usage;
                    break;
                case JournalEntryKind.RunSucceeded:
                    output = entry.Payload;
                    break;
                case JournalEntryKind.RunFailed or JournalEntryKind.RunCancelled:
                    error = entry.Error;
                    break;
            }
        }

        foreach (var request in await _store.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false))
        {
            var key = ReportPath.StepKeyOf(request.StepKey);
            if (IsHidden(key) || steps.ContainsKey(key)) continue;
            steps[key] = new StepFacts(request.CreatedAt) { Status = "waiting", Attempts = 1, Question = request.Prompt };
        }

        // A composite in flight is journaled when it ends: until then it is known from its children.
        var inFlight = run.Status switch
        {
            RunStatus.Cancelled => "cancelled",
            RunStatus.Failed => "failed",
            _ => "running",
        };
        foreach (var key in steps.Keys.ToArray())
        {
            foreach (var ancestor in ReportPath.AncestorKeys(key))
            {
                if (IsHidden(ancestor)) continue;
                if (!steps.TryGetValue(ancestor, out var facts)) steps[ancestor] = facts = new StepFacts(steps[key].StartedAt) { Status = inFlight, Synthesized = true };
                else if (facts.Synthesized && steps[key].StartedAt < facts.StartedAt) facts.StartedAt = steps[key].StartedAt;
            }
        }

        var paths = new ReportPath();
        foreach (var key in steps.Keys) paths.Observe(key);
        var ordered = steps.OrderBy(s => s.Value.StartedAt).ThenBy(s => s.Key, Comparer<string>.Create(ReportPath.CompareByPlace));
        var reportSteps = new List<RunReportStep>(steps.Count);
        foreach (var (key, facts) in ordered)
        {
            reportSteps.Add(new RunReportStep
            {
                Id = ReportPath.StepIdOf(key),
                Path = paths.PathOf(key),
                Parent = ReportPath.ParentKey(key) is { } parent && !IsHidden(parent) ? paths.PathOf(parent) : null,
                Key = key,
                Agent = AgentOf(workflow, key),
                Status = facts.Status,
                Attempts = facts.Attempts,
                StartedAt = facts.StartedAt,
                EndedAt = facts.EndedAt,
                Output = facts.Output,
                Error = facts.Error,
                Usage = facts.Usage,
                Question = facts.Question,
            });
        }

        var children = new List<RunReport>();
        if (depth < MaxChildDepth)
        {
            // Newest first from the store: oldest first in the report, as they were started.
            foreach (var child in (await _store.ListRunsAsync(new RunQuery { ParentRunId = runId }, cancellationToken).ConfigureAwait(false)).Reverse())
            {
                children.Add(await BuildAsync(child.RunId, null, depth + 1, cancellationToken).ConfigureAwait(false));
            }
        }

        return new RunReport
        {
            RunId = run.RunId,
            Workflow = run.Workflow,
            Status = run.Status,
            Output = output,
            Steps = reportSteps,
            Usage = usage,
            Children = children,
            Error = error,
        };
    }

    private bool IsHidden(string key)
    {
        foreach (var hidden in HiddenKeys)
        {
            if (key.StartsWith(hidden, StringComparison.Ordinal) && (key.Length == hidden.Length || key[hidden.Length] == '/')) return true;
        }

        return false;
    }

    /// <summary>The agent a key's step calls, found by walking the workflow and its children along the key; null when unknown.</summary>
    internal static string? AgentOf(Workflow? root, string key)
    {
        if (root is null) return null;
        IReadOnlyList<Workflow> scope = [root];
        Step? step = null;
        foreach (var (_, id, child) in ReportPath.Segments(key))
        {
            if (id is not null)
            {
                step = scope.Select(w => w.Steps.FirstOrDefault(s => s.Id == id)).FirstOrDefault(s => s is not null);
                if (step is null) return null;
                scope = [.. step.Children.Select(c => c.Workflow)];
            }
            else if (step is not null)
            {
                // A named child (a branch, a node) narrows the scope; an item's index names no child of its own.
                var named = step.Children.Where(c => c.Name == child).Select(c => c.Workflow).ToArray();
                if (named.Length > 0) scope = named;
            }
        }

        return step?.AgentName;
    }

    private sealed class StepFacts(DateTimeOffset startedAt)
    {
        public DateTimeOffset StartedAt { get; set; } = startedAt;

        public string Status { get; set; } = "running";

        public int Attempts { get; set; }

        public DateTimeOffset? EndedAt { get; set; }

        public Payload? Output { get; set; }

        public StepError? Error { get; set; }

        public Usage Usage { get; set; }

        public string? Question { get; set; }

        public bool Synthesized { get; init; }
    }
}
