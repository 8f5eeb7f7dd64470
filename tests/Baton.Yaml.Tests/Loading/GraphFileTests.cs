using Baton.Yaml;

namespace Baton.Yaml.Tests.Loading;

/// <summary>Load-time checks of <c>graph:</c> steps, each at its position.</summary>
public sealed class GraphFileTests
{
    private const string Head = "version: 1\nagents:\n  a: { template: x }\nworkflow:\n  graph:\n    nodes:\n";

    private static IReadOnlyList<WorkflowFileError> Errors(string nodes, string tail = "") => WorkflowFile.Read(Head + nodes + tail, "flow.yaml").Errors;

    [Fact]
    public void A_cycle_is_reported_once_at_its_first_node_naming_every_link()
    {
        var errors = Errors("      one: { do: a, after: [three] }\n      two: { do: a, after: [one] }\n      three: { do: a, after: [two] }\n      four: { do: a, after: [one] }\n");

        var error = Assert.Single(errors);
        Assert.Equal((7, 7), (error.Line, error.Column));
        Assert.Contains("graph nodes wait for each other in a cycle: 'one' is after 'three', 'three' is after 'two', 'two' is after 'one'", error.Message);
    }

    [Fact]
    public void A_node_after_itself_is_a_cycle()
    {
        var error = Assert.Single(Errors("      one: { do: a }\n      two: { do: a, after: [one, two] }\n"));

        Assert.Equal((8, 7), (error.Line, error.Column));
        Assert.Contains("'two' is after 'two'", error.Message);
    }

    [Fact]
    public void Two_separate_cycles_are_two_errors()
    {
        var errors = Errors("      a1: { do: a, after: [a2] }\n      a2: { do: a, after: [a1] }\n      b1: { do: a, after: [b2] }\n      b2: { do: a, after: [b1] }\n");

        Assert.Equal([7, 9], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Contains("cycle", e.Message));
    }

    [Fact]
    public void An_unknown_name_in_after_suggests_the_closest_node()
    {
        var error = Assert.Single(Errors("      research: { do: a }\n      write: { do: a, after: [reserch] }\n"));

        Assert.Equal((8, 31), (error.Line, error.Column));
        Assert.Equal("there is no node 'reserch' in the graph; did you mean 'research'?", error.Message);
    }

    [Fact]
    public void An_unknown_output_node_a_missing_do_and_a_wrong_key_are_reported()
    {
        var errors = Errors("      research: { do: a }\n      write: { after: [research] }\n      other: { do: a, afetr: [research] }\n", "    output: wirte\n");

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Line == 8 && e.Message == "node 'write' needs 'do': the step it runs");
        Assert.Contains(errors, e => e.Line == 9 && e.Message.Contains("unknown key 'afetr' in node 'other'; did you mean 'after'?"));
        Assert.Contains(errors, e => (e.Line, e.Column) == (10, 13) && e.Message == "'output' names node 'wirte', which the graph does not have; did you mean 'write'?");
    }

    [Fact]
    public void A_graph_without_nodes_is_refused()
    {
        var error = Assert.Single(WorkflowFile.Read("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  graph: { output: a }\n", "flow.yaml").Errors);

        Assert.Contains("'graph' needs 'nodes'", error.Message);
    }

    [Fact]
    public void Steps_inside_nodes_are_checked_like_any_step()
    {
        var error = Assert.Single(Errors("      one: { do: b }\n"));

        Assert.Equal((7, 18), (error.Line, error.Column));
        Assert.Contains("there is no agent 'b'", error.Message);
    }
}
