using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Baton.Orleans;

/// <summary>
/// The workflows a worker can run: those registered with <c>AddBaton</c> (or in the container) by name, and any other
/// rebuilt from what a run stored by <see cref="BatonOptions.WorkflowResolver"/> — the same workflows its runtime resumes.
/// </summary>
internal sealed class WorkflowCatalog
{
    private readonly Dictionary<string, Workflow> _byName = new(StringComparer.Ordinal);
    private readonly Func<RunRecord, Workflow?>? _resolver;

    public WorkflowCatalog(IServiceProvider services)
    {
        foreach (var workflow in services.GetService<BatonServiceOptions>()?.Workflows ?? []) _byName[workflow.Name] = workflow;
        foreach (var workflow in services.GetServices<Workflow>()) _byName[workflow.Name] = workflow;
        _resolver = services.GetService<IOptions<BatonOptions>>()?.Value.WorkflowResolver;
    }

    /// <summary>The workflow of a stored run; null when this worker cannot build it.</summary>
    public Workflow? Resolve(RunRecord record)
    {
        if (_byName.TryGetValue(record.Workflow, out var known)) return known;
        return _resolver?.Invoke(record) is { } rebuilt && rebuilt.Name == record.Workflow ? rebuilt : null;
    }

    /// <summary>The workflow a start names, rebuilt from its definition when it is not registered here; null when this worker cannot build it.</summary>
    public Workflow? Resolve(string runId, ClusterRunStart start) =>
        Resolve(new RunRecord { RunId = runId, Workflow = start.Workflow, Definition = start.Definition, Source = start.Source, ParentRunId = start.ParentRunId });
}
