using System.Runtime.ExceptionServices;

namespace Baton;

/// <summary>
/// The engine's one scheduler of concurrent work: runs a composite step's children (the branches of a parallel or a
/// foreach, a vote's voters, a graph's nodes) as independent scopes, each started as soon as the siblings it depends
/// on have completed, bounded by a parallelism limit, and joins them. There are no supersteps: a child never waits
/// for a sibling it does not depend on, and only the join waits for all. Every child ends as a
/// <see cref="ScopeOutcome"/>; how the composite turns the outcomes into its result (merge, output node, partial
/// results) is the composite's business.
/// </summary>
internal static class ChildScheduler
{
    /// <summary>Runs the children and returns how each ended (null for a child that never started) and how the whole ended.</summary>
    /// <param name="context">The composite step's attempt.</param>
    /// <param name="children">The children; dependencies must form no cycle (checked when the composite was built).</param>
    /// <param name="maxParallel">How many children may run at once; null for no bound beyond the run's.</param>
    /// <param name="stopOnFailure">Whether the first failure cancels the siblings still running (else every child runs to its end).</param>
    /// <param name="cancellationToken">The composite's token.</param>
    public static async ValueTask<ChildrenOutcome> RunAsync(StepContext context, IReadOnlyList<ChildScope> children, int? maxParallel, bool stopOnFailure, CancellationToken cancellationToken)
    {
        var run = context.Run;
        var count = children.Count;
        var outcomes = new ScopeOutcome[count];
        var scopes = new ScopeState[count];
        var started = new bool[count];
        var hasDependencies = false;
        int[]? waitingFor = null;
        List<int>[]? dependents = null;
        for (var i = 0; i < count && !hasDependencies; i++) hasDependencies = children[i].DependsOn.Length > 0;
        if (hasDependencies)
        {
            waitingFor = new int[count];
            dependents = new List<int>[count];
            for (var i = 0; i < count; i++) dependents[i] = [];
            for (var i = 0; i < count; i++)
            {
                waitingFor[i] = children[i].DependsOn.Length;
                foreach (var dependency in children[i].DependsOn) dependents[dependency].Add(i);
            }
        }

        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var gate = maxParallel is { } max && max < count ? new ConcurrencyGate(max) : null;
        var firstFailed = -1;
        var halt = -1;
        ExceptionDispatchInfo? unexpected = null;
        // Children with no dependencies are all started here, before any await: their tasks go in place, lock-free.
        // Dependents are started by other children, so with dependencies the list is shared and locked.
        var pending = new ValueTask[count];
        var startedCount = 0;
        // Children that start at once share one clock read; gated or dependent ones read the clock when they start.
        DateTimeOffset? now = gate is null ? run.Time.GetUtcNow() : null;
        for (var i = 0; i < count; i++)
        {
            // Only the children with no dependencies: the others are started by their last dependency.
            if (children[i].DependsOn.Length == 0) Start(i, now);
        }

        // A dependent is started (and added) by its last dependency before that one ends, so once every task in the
        // list has been awaited no child is left to start.
        for (var next = 0; ; next++)
        {
            ValueTask task;
            if (hasDependencies)
            {
                lock (pending)
                {
                    if (next == startedCount) break;
                    task = pending[next];
                }
            }
            else
            {
                if (next == startedCount) break;
                task = pending[next];
            }

            await task.ConfigureAwait(false);
        }

        // The join: what each child wrote reaches the composite's scope in child order, whatever order they ended in.
        for (var i = 0; i < count; i++)
        {
            if (scopes[i] is { } written) context.Joined!.Join(written.Written());
        }

        unexpected?.Throw();
        ScopeOutcome? haltOutcome = cancellationToken.IsCancellationRequested ? ScopeOutcome.Cancelled
            : halt >= 0 ? outcomes[halt]
            : null;
        // A child waiting for a person suspends the run once its siblings got as far as they can (unless a failure
        // ends the step): what they completed is journaled and replays on resume.
        if (haltOutcome is { Kind: OutcomeKind.Suspended } && stopOnFailure && firstFailed >= 0) haltOutcome = null;
        if (haltOutcome is null && !(stopOnFailure && firstFailed >= 0))
        {
            for (var i = 0; i < count; i++)
            {
                if (outcomes[i].Kind == OutcomeKind.Suspended)
                {
                    haltOutcome = outcomes[i];
                    break;
                }
            }
        }

        return new ChildrenOutcome(outcomes, started, firstFailed, haltOutcome);

        SortedSet<int> Ancestors(int index)
        {
            var found = new SortedSet<int>();
            var stack = new Stack<int>(children[index].DependsOn);
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (!found.Add(next)) continue;
                foreach (var dependency in children[next].DependsOn) stack.Push(dependency);
            }

            return found;
        }

        void Start(int index, DateTimeOffset? at, bool inline = true)
        {
            started[index] = true;
            // A child sees what the siblings it depends on (directly or not) wrote, in sibling order.
            scopes[index] = context.ChildScope(children[index].DependsOn.Length == 0 ? null : Ancestors(index).SelectMany(a => scopes[a].Written()).ToArray());
            var task = inline ? RunChildAsync(index, at) : new ValueTask(Task.Run(() => RunChildAsync(index, at).AsTask()));
            if (!hasDependencies)
            {
                pending[startedCount++] = task;
                return;
            }

            lock (pending) pending[startedCount++] = task;
        }

        async ValueTask RunChildAsync(int index, DateTimeOffset? at)
        {
            var child = children[index];
            var entered = false;
            ScopeOutcome outcome;
            try
            {
                if (gate is not null)
                {
                    await gate.EnterAsync(siblings.Token).ConfigureAwait(false);
                    entered = true;
                }

                var (input, invalid) = Input(child);
                if (siblings.IsCancellationRequested) outcome = ScopeOutcome.Cancelled;
                else if (invalid is { } failed) outcome = failed;
                else outcome = await run.RunScopeAsync(child.Workflow, input, context.ChildPrefix(child.Name), scopes[index], siblings.Token, at, ScopePaths.Under(context.Path, child.Name)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (siblings.IsCancellationRequested)
            {
                outcome = ScopeOutcome.Cancelled;
            }
            catch (Exception ex)
            {
                // A store failure or an engine bug: stop the siblings and rethrow once they have all ended, so no
                // child keeps running (and committing) after the run has failed.
                Interlocked.CompareExchange(ref unexpected, ExceptionDispatchInfo.Capture(ex), null);
                outcome = ScopeOutcome.Cancelled;
                siblings.Cancel();
            }
            finally
            {
                if (entered) gate!.Release();
            }

            outcomes[index] = outcome;
            switch (outcome.Kind)
            {
                case OutcomeKind.Completed when dependents is not null:
                    foreach (var dependent in dependents[index])
                    {
                        // The last dependency to complete starts the dependent, off this stack (a long chain must not recurse).
                        if (Interlocked.Decrement(ref waitingFor![dependent]) == 0) Start(dependent, null, inline: false);
                    }

                    break;
                case OutcomeKind.Failed:
                    // A child that fails after the siblings were cancelled (an agent that turned its cancellation
                    // into an error) was cancelled, not the cause.
                    if (stopOnFailure && siblings.IsCancellationRequested) break;
                    if (Interlocked.CompareExchange(ref firstFailed, index, -1) == -1 && stopOnFailure) siblings.Cancel();
                    break;
                case OutcomeKind.Aborted:
                    Interlocked.CompareExchange(ref halt, index, -1);
                    siblings.Cancel();
                    break;
            }

            (Payload Input, ScopeOutcome? Invalid) Input(ChildScope scope)
            {
                if (scope.BuildInput is null) return (scope.Input ?? Payload.Empty, null);
                try
                {
                    return (scope.BuildInput(outcomes) ?? Payload.Empty, null);
                }
                catch (Exception ex)
                {
                    return (Payload.Empty, ScopeOutcome.Failed(new StepError(ErrorKind.Recoverable, $"the input of '{scope.Name}' could not be built: {ex.Message}", scope.Name)
                    {
                        Code = "node_input",
                        ExceptionType = ex.GetType().FullName,
                    }));
                }
            }
        }
    }
}
