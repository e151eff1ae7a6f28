using static Optimizer.Onnx.Tests.ShapeInference.InconsistentCases;

namespace Optimizer.Onnx.Tests.ShapeInference;

/// <summary>
/// Nodes whose attributes or input shapes contradict each other give OPT1123 naming the node, its
/// op and the attribute; outputs too large to exist give OPT1119. The first four cases are fuzz
/// findings that used to escape as .NET exceptions (OPT1099, internal error).
/// </summary>
public sealed class InconsistentNodeTests
{
    public static TheoryData<string> Cases => new(InconsistentCases.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_inconsistent_node_is_a_coded_error_naming_it(string name)
    {
        var (graph, code, fragments) = InconsistentCases.All[name]();

        var error = Assert.Throws<OnnxFormatException>(() => Onnx.ShapeInference.Infer(new OnnxModel(graph, [new OpsetImport("", 13)])));

        Assert.Equal(code, error.Code);
        Assert.Contains("'n'", error.Message); // every case names its node 'n'
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message);
        }
    }

    [Fact]
    public void Annotate_refuses_the_same_nodes()
    {
        var (graph, code, _) = InconsistentCases.All["Unsqueeze axes [0,0]"]();
        Assert.Equal(code, Assert.Throws<OnnxFormatException>(() => Onnx.ShapeInference.Annotate(new OnnxModel(graph, [new OpsetImport("", 13)]))).Code);
    }

    [Fact]
    public void Consistent_neighbours_of_the_cases_still_infer()
    {
        var graph = new OnnxGraph("fine");
        graph.DeclaredInputs.Add(Input("x", 1, 3, 8, 8));
        graph.DeclaredInputs.Add(Input("big", 1L << 39));
        graph.Initializers.Add(OnnxTensor.FromInt64s("axes", [2], [0, -1]));
        graph.Nodes.Add(Node("MaxPool", ["x"], "pool", Ints("kernel_shape", 2, 2), Ints("strides", 2, 1), Int("ceil_mode", 1)));
        graph.Nodes.Add(Node("Conv", ["x", "w"], "conv", Ints("kernel_shape", 8, 8), Ints("dilations", 1, 1)));
        graph.Nodes.Add(Node("Unsqueeze", ["x", "axes"], "unsq"));
        graph.Nodes.Add(Node("Concat", ["big", "big"], "cat", Int("axis", 0)));
        graph.Nodes.Add(Node("Transpose", ["x"], "t", Ints("perm", 3, 2, 1, 0)));
        graph.Nodes.Add(Node("Flatten", ["x"], "flat", Int("axis", 4)));

        var types = Onnx.ShapeInference.Infer(new OnnxModel(graph, [new OpsetImport("", 13)]));

        Assert.Equal("Float[1,3,4,7]", types["pool"].ToString());
        Assert.Equal("Float[1,?,1,1]", types["conv"].ToString());
        Assert.Equal("Float[1,1,3,8,8,1]", types["unsq"].ToString());
        Assert.Equal($"Float[{1L << 40}]", types["cat"].ToString());
        Assert.Equal("Float[8,8,3,1]", types["t"].ToString());
        Assert.Equal("Float[192,1]", types["flat"].ToString());
    }

    [Fact]
    public void A_declared_minus_one_dimension_counts_as_unknown_not_as_a_size()
    {
        var graph = new OnnxGraph("dynamic");
        graph.DeclaredInputs.Add(Input("x", -1, 3, -1, 8));
        graph.Nodes.Add(Node("MaxPool", ["x"], "n", Ints("kernel_shape", 3, 3)));

        Assert.Equal("Float[?,3,?,6]", Onnx.ShapeInference.Infer(new OnnxModel(graph, [new OpsetImport("", 13)]))["n"].ToString());
    }

    [Fact]
    public void The_error_names_the_model_file_it_came_from()
    {
        using var folder = new Support.TempFolder();
        var (graph, _, _) = InconsistentCases.All["MaxPool strides [2,0] with ceil_mode"]();
        var path = folder.File("pool.onnx");
        OnnxModelWriter.Save(new OnnxModel(graph, [new OpsetImport("", 13)]), path);

        var error = Assert.Throws<OnnxFormatException>(() => Onnx.ShapeInference.Infer(OnnxModelLoader.Load(path)));
        Assert.Equal(path, error.ModelPath);
    }
}
