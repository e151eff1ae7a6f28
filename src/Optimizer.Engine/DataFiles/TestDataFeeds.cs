// ONNX's test-data layout: a folder per run, test_data_set_<k>/input_<i>.pb, each file one
// serialized TensorProto. Declared folders are untrusted: the number of folders and files and each
// file's size are capped before reading, files are opened through UntrustedFile (DataFile), and
// every feed is checked when the data is declared, then read again one at a time when fed.

using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Onnx.Files;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Reads a folder of <c>test_data_set_*</c> folders (or one such folder declared directly) as one
/// complete feed per folder, in ordinal order of the folder names. A tensor is matched to the model
/// input its name gives, else to input <c>i</c> of its file name; its type must be the input's (or
/// widen losslessly) and its shape fit the input's (fixed dimensions exact, symbolic ones free but
/// equal names equal within one feed).
/// </summary>
internal static class TestDataFeeds
{
    /// <summary>The largest tensor file read (one byte array holds it).</summary>
    public const long MaxTensorBytes = 1L << 30;

    /// <exception cref="Diagnostics.EngineException">No feeds, too many, or a feed that does not fit the model.</exception>
    public static FeedList Read(string folder, OnnxModel model, DataSubject subject)
    {
        var feeds = FeedFolders(folder, subject);
        foreach (var feed in feeds)
        {
            ReadFeed(folder, feed, model, subject); // refused now, at the declaration, rather than halfway through a pass
        }

        return new FeedList(model.Graph.Inputs.Select(i => i.Name).ToArray(), feeds.Count, i => ReadFeed(folder, feeds[i], model, subject))
        {
            Source = string.Create(CultureInfo.InvariantCulture, $"{feeds.Count} samples from '{subject.Declared}' ({TestDataFolders.FeedPrefix}* folders)"),
        };
    }

    /// <summary>The feed folders, by the layout rule the build task applies too (<see cref="TestDataFolders"/>).</summary>
    private static IReadOnlyList<string> FeedFolders(string folder, DataSubject subject) =>
        Layout(() => TestDataFolders.FeedFolders(folder), subject);

    private static T Layout<T>(Func<T> read, DataSubject subject)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw subject.Malformed(e.Message,
                $"Declare a .npz (one array per input), or a folder of ONNX test-data folders: {TestDataFolders.FeedPrefix}0/input_0.pb, input_1.pb, … (one serialized TensorProto per model input).", e);
        }
    }

    private static IReadOnlyDictionary<string, DataTensor> ReadFeed(string root, string feed, OnnxModel model, DataSubject subject)
    {
        var inputs = model.Graph.Inputs;
        var tensors = new Dictionary<string, DataTensor>(StringComparer.Ordinal);
        var bindings = new DimBindings();
        foreach (var (index, path) in InputFiles(feed, subject))
        {
            var file = Relative(root, path, subject);
            var tensor = Parse(path, file, subject);
            var input = (tensor.Name.Length > 0 ? inputs.FirstOrDefault(i => i.Name == tensor.Name) : index < inputs.Count ? inputs[index] : null)
                ?? throw subject.DoesNotFit(
                    tensor.Name.Length > 0 ? $"holds '{file}', a tensor named '{tensor.Name}', which is no input of the model" : $"holds '{file}' but the model has {inputs.Count} inputs",
                    $"Name each tensor after its input, or number the files by input position; the inputs are {InputSignature.DescribeAll(model)}.");
            if (!tensors.TryAdd(input.Name, TypedTensor(input, tensor, file, bindings, subject)))
            {
                throw subject.DoesNotFit($"holds input '{input.Name}' twice in '{Relative(root, feed, subject)}'", "Give each input one file per folder.");
            }
        }

        var missing = inputs.Where(i => !tensors.ContainsKey(i.Name)).ToList();
        return missing.Count == 0 ? tensors
            : throw subject.DoesNotFit($"has no tensor for input{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(InputSignature.Describe))} in '{Relative(root, feed, subject)}'",
                "Every folder is one complete run: one input_<i>.pb per model input.");
    }

    /// <summary>The feed's <c>input_&lt;i&gt;.pb</c> files by index (others, such as output_0.pb, are not inputs).</summary>
    private static IEnumerable<(int Index, string Path)> InputFiles(string feed, DataSubject subject) =>
        Layout(() => TestDataFolders.InputFiles(feed), subject).Select((path, index) => (index, path));

    private static OnnxTensor Parse(string path, string file, DataSubject subject)
    {
        var bytes = DataFile.ReadAllBytes(path, file, subject.Option, subject.At, MaxTensorBytes);
        try
        {
            return OnnxTensor.Parse(bytes);
        }
        catch (OnnxFormatException e)
        {
            throw subject.Malformed($"holds '{file}', which is not a serialized ONNX TensorProto ({e.Message})", "Write each input with onnx.numpy_helper.from_array(x, name).SerializeToString().", e);
        }
    }

    /// <summary>The tensor as the input takes it: its values checked, widened losslessly where needed, its shape fitted.</summary>
    private static DataTensor TypedTensor(ValueInfo input, OnnxTensor tensor, string file, DimBindings bindings, DataSubject subject)
    {
        if (input.Type is not { Kind: ValueKind.Tensor } type || NpyDtype.Of(tensor.ElementType) is not { } dtype)
        {
            throw subject.Unsupported($"holds '{file}' of type {tensor.ElementType} for input {InputSignature.Describe(input)}; data tensors are {NpyDtype.Names}",
                "Write the input's own element type.");
        }

        byte[] bytes;
        try
        {
            bytes = tensor.ToRawBytes();
        }
        catch (OnnxFormatException e)
        {
            throw subject.Malformed($"holds '{file}', whose data is inconsistent ({e.Message})", "Write it again with onnx.numpy_helper.from_array (external data is not read).", e);
        }

        var array = new NpzArray(input.Name, dtype, tensor.Dims.ToArray(), bytes);
        DataValues.CheckFinite(array, file, subject.Option, subject.At);
        if (!array.TryWiden(type.ElementType, out var widened))
        {
            var want = InputSignature.TypeName(type.ElementType);
            throw subject.DoesNotFit($"holds '{file}' as {InputSignature.TypeName(tensor.ElementType)}, but input {InputSignature.Describe(input)} takes {want}, and the conversion could lose values",
                $"Write it as {want}: onnx.numpy_helper.from_array(x.astype({InputSignature.NumpyType(type.ElementType)}), '{input.Name}').");
        }

        if (bindings.Problem(input, array.Shape, $"'{file}'") is { } problem)
        {
            throw subject.DoesNotFit(problem, "Write each tensor with the input's shape (fixed dimensions as the model declares them).");
        }

        return new DataTensor(type.ElementType, array.Shape, widened.Bytes);
    }

    private static string Relative(string root, string path, DataSubject subject) =>
        Path.GetRelativePath(root, path) is var relative && relative == "." ? subject.Declared
            : Path.Combine(subject.Declared, relative).Replace('\\', '/');
}
