namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // The broadcasting kernels of the typed families walk their output row by row (the innermost
    // dimension is a row); an operand's start of row r is the sum of its strides times r's index
    // along each outer dimension.

    /// <summary>The number of innermost rows of an output with <paramref name="dims"/>.</summary>
    private static int RowCount(int rank, ReadOnlySpan<int> dims)
    {
        var rows = 1;
        for (var d = 0; d < rank - 1; d++)
        {
            rows *= dims[d];
        }

        return rows;
    }

    /// <summary>The element offset of row <paramref name="row"/> in an operand with <paramref name="strides"/>.</summary>
    private static int RowOffset(int row, int rank, ReadOnlySpan<int> dims, ReadOnlySpan<int> strides)
    {
        var offset = 0;
        for (var d = rank - 2; d >= 0; d--)
        {
            offset += row % dims[d] * strides[d];
            row /= dims[d];
        }

        return offset;
    }
}
