//! Numeric CSV tables as the biomechanical inputs come (normative curves, EMG envelopes): `#`
//! comment lines, a header of column names, then rows of numbers, read as columns.

/// A table's columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names, in order.
    pub header: Vec<String>,
    /// One vector per column, its rows in order.
    pub columns: Vec<Vec<f64>>,
    /// The comment lines, without their `#`.
    pub comments: Vec<String>,
}

impl Table {
    /// Parse `text`; `Err` names the row and cell that is not a number or does not fit the header.
    pub fn parse(text: &str) -> Result<Table, String> {
        let mut comments = Vec::new();
        let mut rows = text.lines().filter(|l| {
            let c = l.trim_start().starts_with('#');
            if c {
                comments.push(l.trim_start().trim_start_matches('#').trim().to_string());
            }
            !c && !l.trim().is_empty()
        });
        let header: Vec<String> =
            rows.next().ok_or("no header line")?.split(',').map(|s| s.trim().to_string()).collect();
        let mut columns = vec![Vec::new(); header.len()];
        for (i, row) in rows.enumerate() {
            let cells: Vec<&str> = row.split(',').collect();
            if cells.len() != header.len() {
                return Err(format!("row {}: {} cells, the header has {}", i + 1, cells.len(), header.len()));
            }
            for (c, cell) in columns.iter_mut().zip(cells) {
                c.push(
                    cell.trim()
                        .parse()
                        .map_err(|_| format!("row {}: '{}' is not a number", i + 1, cell.trim()))?,
                );
            }
        }
        Ok(Table { header, columns, comments })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_comments_and_errors() {
        let t = Table::parse("# from a paper\na,b\n1,2\n\n3, 4.5\n").unwrap();
        assert_eq!(t.header, ["a", "b"]);
        assert_eq!(t.columns, vec![vec![1.0, 3.0], vec![2.0, 4.5]]);
        assert_eq!(t.comments, ["from a paper"]);
        assert!(Table::parse("a,b\n1\n").unwrap_err().contains("row 1"));
        assert!(Table::parse("a\nx\n").unwrap_err().contains("'x'"));
        assert!(Table::parse("").is_err());
    }
}
