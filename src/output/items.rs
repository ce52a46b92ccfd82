//! `items.csv`: every line item read, one row each, for basket analysis in a spreadsheet or
//! pandas without unnesting `results.jsonl`. Every result with a receipt contributes its items,
//! whatever its status (the `status` column filters), in input order then receipt order. RFC
//! 4180, UTF-8, CRLF, text cells formula-safe, like `points.csv`.

use super::{csv_text, Exporter};
use crate::campaign::ResultRecord;

pub const ITEMS_HEADER: [&str; 15] = [
    "receipt_id",
    "member_id",
    "campaign_id",
    "status",
    "merchant",
    "merchant_id",
    "purchase_date",
    "line",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "product",
    "file",
];

pub struct ItemsCsv;

impl Exporter for ItemsCsv {
    fn file_name(&self) -> &'static str {
        "items.csv"
    }

    fn render(&self, results: &[ResultRecord]) -> std::io::Result<Vec<u8>> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(ITEMS_HEADER)?;
        let text = |value: Option<&str>| csv_text(value.unwrap_or_default()).into_owned();
        let number =
            |value: Option<rust_decimal::Decimal>| value.map(|v| v.to_string()).unwrap_or_default();
        for result in results {
            let Some(receipt) = &result.receipt else {
                continue;
            };
            for item in &receipt.items {
                let product = result
                    .products
                    .iter()
                    .find(|p| p.line == item.line)
                    .map(|p| p.product.as_str());
                writer.write_record([
                    text(Some(&result.id)),
                    text(result.member.as_deref()),
                    text(Some(&result.campaign)),
                    result.status.as_str().to_string(),
                    text(receipt.merchant.as_deref()),
                    text(result.merchant_id.as_deref()),
                    receipt.date.map(|d| d.to_string()).unwrap_or_default(),
                    item.line.to_string(),
                    text(Some(&item.description)),
                    number(item.quantity),
                    text(item.unit.as_deref()),
                    number(item.unit_price),
                    item.amount.to_string(),
                    text(product),
                    text(Some(&result.file)),
                ])?;
            }
        }
        writer.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_item_with_its_product_and_formula_safe_text() {
        let result: ResultRecord = serde_json::from_value(serde_json::json!({
            "file": "in/M1/a.jpg", "id": "ab12", "member": "M1", "status": "accepted",
            "reasons": [], "points": "10", "campaign": "spring", "merchant_id": "fresco",
            "products": [{"line": 7, "product": "yaourt"}],
            "receipt": {"merchant": "FRESCO", "date": "2024-03-14", "items": [
                {"description": "YAOURT BIO", "quantity": "2", "unit_price": "1.20",
                 "amount": "2.40", "line": 7},
                {"description": "=CMD()", "amount": "-0.50", "line": 9}
            ]}
        }))
        .unwrap();
        let csv = String::from_utf8(ItemsCsv.render(&[result]).unwrap()).unwrap();
        let rows: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(rows[0], ITEMS_HEADER.join(","));
        assert_eq!(
            rows[1],
            "ab12,M1,spring,accepted,FRESCO,fresco,2024-03-14,7,YAOURT BIO,2,,1.20,2.40,yaourt,in/M1/a.jpg"
        );
        assert_eq!(
            rows[2],
            "ab12,M1,spring,accepted,FRESCO,fresco,2024-03-14,9,'=CMD(),,,,-0.50,,in/M1/a.jpg"
        );
    }
}
