using Baton.Yaml;
using Baton.Yaml.Providers;

namespace Baton.Cli;

/// <summary>
/// The command's side of <see cref="StoredWorkflowFile"/>: a workflow file read from the disk with the texts a run
/// stores, and a stored run's workflow rebuilt from them, with the command's errors (a usage error, or the file's
/// positioned problems).
/// </summary>
internal static class WorkflowDefinition
{
    /// <summary>
    /// Reads, checks and builds a file from the disk, recording its text and the text of every file it refers to.
    /// With <paramref name="secretsOptional"/> (validate, graph) an unset <c>${env.X}</c> is only a warning.
    /// </summary>
    /// <returns>The built file, what a run stores, and the warnings (file:line:column: message) to print.</returns>
    public static (BuiltWorkflowFile Built, StoredWorkflowFile Definition, IReadOnlyList<WorkflowFileError> Warnings) Load(string path, IReadOnlyList<ModelSwap>? models = null, bool secretsOptional = false)
    {
        if (!File.Exists(path)) throw new UsageException($"there is no workflow file '{path}'");
        try
        {
            var (built, stored, problems) = StoredWorkflowFile.Load(path, secretsOptional, models);
            if (built is null) throw new InvalidWorkflowFileException(problems);
            return (built, stored!, problems);
        }
        catch (ArgumentException ex)
        {
            // A --model naming a model the file does not have.
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>Rebuilds a stored run's workflow from the texts stored with it alone.</summary>
    /// <exception cref="UsageException">It is not a definition this command can read.</exception>
    public static BuiltWorkflowFile Rebuild(string json, string runId)
    {
        if (!StoredWorkflowFile.TryParse(json, out var stored, out var problem))
        {
            throw new UsageException($"run '{runId}' has a stored workflow this command cannot read: {problem}");
        }

        var (built, errors) = stored!.Build();
        return built ?? throw new InvalidWorkflowFileException(errors);
    }
}
