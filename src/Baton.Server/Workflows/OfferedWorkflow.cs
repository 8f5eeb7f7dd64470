using System.Text.Json.Nodes;
using Baton.Yaml;
using Baton.Yaml.Model;

namespace Baton.Server.Workflows;

/// <summary>A workflow file the server offers: clients start runs of it by its name.</summary>
/// <param name="File">The file's path as it was given.</param>
/// <param name="Built">The file, read and built (unset secrets only warned about: they are needed when it runs).</param>
/// <param name="Bundle">Its text and the texts of the files it refers to, as runs store them.</param>
internal sealed record OfferedWorkflow(string File, BuiltWorkflowFile Built, StoredWorkflowFile Bundle)
{
    public string Name => Built.Workflow.Name;

    public WorkflowDocument Document => Built.Document;

    /// <summary>As <c>GET /api/workflows</c> lists it: <c>{ name, description, inputs, file }</c>, inputs by name as the file declares them.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["description"] = Document.Description,
        ["inputs"] = new JsonObject(Document.Inputs.Select(i => KeyValuePair.Create(i.Name, (JsonNode?)new JsonObject
        {
            ["type"] = i.Type,
            ["default"] = i.Default?.DeepClone(),
            ["required"] = i.Required,
        }))),
        ["file"] = File,
    };
}
