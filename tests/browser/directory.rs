//! The public directory in a browser: search by keyboard in Chinese, switch to English with the
//! language link (the search is kept), and page through the results.

use crate::demo_app;
use carebridge_e2e::browser::{Browser, BrowserOptions, Key};

const UNION_ZH: &str = "华中科技大学同济医学院附属协和医院";
const UNION_EN: &str = "Wuhan Union Hospital";

#[tokio::test(flavor = "multi_thread")]
async fn search_by_keyboard_switch_language_and_page_through() {
    let app = demo_app().await;
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;

    // A browser that prefers Chinese gets the Chinese page.
    b.goto("/directory").await;
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some("zh-CN"), "Accept-Language zh-CN picks Chinese");
    assert_eq!(b.text("h1").await, "医疗机构目录");

    // Type the search by keyboard and send it with Enter.
    b.type_into("#q", "协和").await;
    assert_eq!(b.focused().await, "input#q[type=search]", "typing leaves the focus in the search field");
    b.press_and_wait(&Key::Enter).await;
    let location = b.location().await;
    assert!(
        location.starts_with("/directory?") && location.contains("q=%E5%8D%8F%E5%92%8C"),
        "Enter sent the search: {location}"
    );
    let names = b.texts("table.directory tbody th").await;
    assert!(!names.is_empty(), "“协和” finds facilities");
    assert!(
        names.iter().any(|n| n.contains(UNION_ZH) && n.contains(UNION_EN)),
        "Wuhan Union Hospital is among the results (Chinese name, English below): {names:#?}"
    );
    assert!(names.iter().all(|n| !n.contains("金银潭")), "unrelated hospitals are not listed: {names:#?}");
    assert_eq!(b.attr("#q", "value").await.as_deref(), Some("协和"), "the form keeps what was typed");

    // The language link (labelled in the other language) switches to English and keeps the search.
    let switch = r#"header.site nav a[hreflang="en"]"#;
    assert_eq!(b.text(switch).await, "English");
    b.click_and_wait(switch).await;
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some("en"));
    assert_eq!(b.text("h1").await, "Facility directory");
    assert_eq!(b.text("#results-h").await, "Results");
    assert_eq!(b.text("form.search legend").await, "Filters");
    assert!(!b.text(r#"label[for="q"]"#).await.is_empty(), "the search field has a visible label");
    let location = b.location().await;
    assert!(
        location.contains("q=%E5%8D%8F%E5%92%8C") && location.contains("lang=en"),
        "the switch keeps the search: {location}"
    );
    let names = b.texts("table.directory tbody th").await;
    assert!(names.iter().any(|n| n.starts_with(UNION_EN)), "English names first after the switch: {names:#?}");
    assert_eq!(b.text(r#"header.site nav a[hreflang="zh-CN"]"#).await, "中文", "the link back is labelled in Chinese");

    // Follow the search's next page when it has one.
    if b.count(r#"a[rel="next"]"#).await > 0 {
        b.click_and_wait(r#"a[rel="next"]"#).await;
        let location = b.location().await;
        assert!(
            location.contains("cursor=") && location.contains("q=%E5%8D%8F%E5%92%8C"),
            "the next page keeps the search: {location}"
        );
    }

    // Clear the filters: the whole directory is more than a page, so it has a next page.
    b.click_and_wait(r#"form.search .actions a[href="/directory"]"#).await;
    assert_eq!(b.location().await, "/directory");
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some("en"), "the language choice is remembered without ?lang");
    let first_page = b.texts("table.directory tbody th .name").await;
    assert_eq!(first_page.len(), 50, "a full first page");
    assert_eq!(b.text(".count").await, "50 facilities on this page");
    assert_eq!(b.count(".pager a").await, 1, "the first page has only a next link");
    assert_eq!(b.text(r#"a[rel="next"]"#).await, "Next page →");
    b.click_and_wait(r#"a[rel="next"]"#).await;
    let location = b.location().await;
    assert!(location.starts_with("/directory?cursor="), "{location}");
    let second_page = b.texts("table.directory tbody th .name").await;
    assert!(!second_page.is_empty(), "the second page has rows");
    assert!(second_page.iter().all(|n| !first_page.contains(n)), "the second page repeats nothing of the first");
    assert!(b.count(r#".pager a[href="/directory"]"#).await == 1, "a later page links back to the first");
}
