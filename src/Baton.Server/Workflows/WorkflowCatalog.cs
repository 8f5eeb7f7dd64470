using Baton.Yaml;

namespace Baton.Server.Workflows;

/// <summary>The workflow files a server offers, read once when it starts (a run keeps the text it started with).</summary>
internal sealed class WorkflowCatalog
{
    private readonly Dictionary<string, OfferedWorkflow> _byName = new(StringComparer.Ordinal);

    private WorkflowCatalog(IReadOnlyList<OfferedWorkflow> workflows, IReadOnlyList<WorkflowFileError> warnings)
    {
        Workflows = workflows;
        Warnings = warnings;
        foreach (var workflow in workflows) _byName[workflow.Name] = workflow;
    }

    /// <summary>The files, in the order given (a folder's files by name).</summary>
    public IReadOnlyList<OfferedWorkflow> Workflows { get; }

    /// <summary>What would fail only when a file runs (an unset <c>${env.NAME}</c>).</summary>
    public IReadOnlyList<WorkflowFileError> Warnings { get; }

    /// <summary>The file offering the workflow of that name, or given as that path.</summary>
    public OfferedWorkflow? Find(string nameOrFile) =>
        _byName.TryGetValue(nameOrFile, out var found) ? found : Workflows.FirstOrDefault(w => w.File == nameOrFile);

    /// <summary>Reads every file given, and every <c>*.yaml</c> and <c>*.yml</c> file of every folder given.</summary>
    /// <exception cref="WorkflowFileException">A file is missing or invalid, or two files name the same workflow: every problem.</exception>
    public static WorkflowCatalog Load(IEnumerable<string> paths)
    {
        var problems = new List<WorkflowFileError>();
        var warnings = new List<WorkflowFileError>();
        var workflows = new List<OfferedWorkflow>();
        foreach (var file in Expand(paths, problems))
        {
            var (built, bundle, found) = StoredWorkflowFile.Load(file, secretsOptional: true);
            if (built is null)
            {
                problems.AddRange(found);
                continue;
            }

            warnings.AddRange(found);
            if (workflows.FirstOrDefault(w => w.Name == built.Workflow.Name) is { } same)
            {
                problems.Add(new WorkflowFileError(file, 1, 1, $"workflow '{built.Workflow.Name}' is also offered by {same.File}: give each workflow a name of its own"));
                continue;
            }

            workflows.Add(new OfferedWorkflow(file, built, bundle!));
        }

        if (problems.Count > 0) throw new WorkflowFileException(problems);
        return new WorkflowCatalog(workflows, warnings);
    }

    private static IEnumerable<string> Expand(IEnumerable<string> paths, List<WorkflowFileError> problems)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*.yaml").Concat(Directory.EnumerateFiles(path, "*.yml")).Order(StringComparer.Ordinal);
                foreach (var file in files) yield return file;
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                problems.Add(new WorkflowFileError(path, 1, 1, "there is no such workflow file or folder"));
            }
        }
    }
}
